// prepareTask with remote contexts (issue 4): the context is fetched under the state dir, the task file
// is found in the fetched tree, and .Run carries the commit, branch, tag and repository.
#include <gtest/gtest.h>

#include "agent/task_preparation.hpp"
#include "agent/usage_error.hpp"
#include "runner/git_test_repo.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {
namespace fs = std::filesystem;

TEST(PrepareRemoteTask, GitContextIsFetchedAndFillsRunVariables) {
  test::TempDir dir("hangar-remote-task");
  test::GitTestRepo repo(dir.path() / "served", "app");
  repo.commit("app/acb.yaml", "steps:\n  - cmd: busybox echo {{.Run.Commit}}\n");
  repo.run({"tag", "v3"});
  std::string head = repo.run({"rev-parse", "HEAD"});
  repo.push();

  RunOnceOptions options;
  options.stateDir = dir.path() / "state";
  options.context = repo.fileUrl() + "#main:app";
  PreparedTask prepared = prepareTask(options, "cg1");
  EXPECT_EQ(prepared.contextDir, dir.path() / "state" / "contexts" / "cg1" / "app");
  EXPECT_EQ(prepared.load.fileName, (prepared.contextDir / "acb.yaml").string());
  EXPECT_NE(prepared.load.text.find("{{.Run.Commit}}"), std::string::npos);
  EXPECT_EQ(prepared.load.data.run.commit, head);
  EXPECT_EQ(prepared.load.data.run.branch, "main");
  EXPECT_EQ(prepared.load.data.run.repository, repo.fileUrl());
  EXPECT_TRUE(fs::is_directory(dir.path() / "state" / "git-mirrors"));

  options.context = repo.fileUrl() + "#v3";
  options.taskFile = "app/acb.yaml";
  PreparedTask tagged = prepareTask(options, "cg2");
  EXPECT_EQ(tagged.load.data.run.gitTag, "v3");
  EXPECT_EQ(tagged.load.data.run.commit, head);
}

TEST(PrepareRemoteTask, FetchErrorsAreUsageErrorsNamingTheRef) {
  test::TempDir dir("hangar-remote-task");
  test::GitTestRepo repo(dir.path() / "served", "app");
  repo.commit("acb.yaml", "steps:\n  - cmd: busybox true\n");
  repo.push();
  RunOnceOptions options;
  options.stateDir = dir.path() / "state";
  options.context = repo.fileUrl() + "#nope";
  try {
    prepareTask(options, "cg3");
    FAIL();
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("ref 'nope'"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace hangar::agent
