// End to end (issue 4): `hangar run-once` with a git context. The fetched context under
// <state>/contexts/<runId> is removed however the run ends; a fetch failure exits 2 with one line naming
// the URL, the ref and the cause; the run record carries the git source. No step runs a container: the
// task names a secret that is not given, so the run ends before its first step (exit 1, a record).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "runner/git_test_repo.hpp"
#include "tests/support/command.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {
namespace {
namespace fs = std::filesystem;

class GitContextRunOnce : public ::testing::Test {
 protected:
  GitContextRunOnce() : repo(dir.path() / "served", "app") {
    repo.commit("app/acb.yaml",
                "version: v1.1.0\nsecrets:\n  - id: token\n    keyvault: https://vault.invalid/secrets/t\n"
                "steps:\n  - cmd: busybox echo {{.Run.Commit}}\n");
    repo.commit("broken/acb.yaml", "steps: [\n");
    head = repo.run({"rev-parse", "HEAD"});
    repo.push();
  }
  CommandResult hangar(std::vector<std::string> args) {
    args.insert(args.begin(), HANGAR_BINARY);
    CommandOptions options;
    options.env = {{"HANGAR_STATE_DIR", (dir.path() / "state").string()}};
    return run_command(args, options);
  }
  bool contextsEmpty() const {
    fs::path contexts = dir.path() / "state" / "contexts";
    return !fs::exists(contexts) || fs::is_empty(contexts);
  }

  TempDir dir{"hangar-git-run-once"};
  GitTestRepo repo;
  std::string head;
};

TEST_F(GitContextRunOnce, RecordCarriesTheSourceAndTheContextIsRemoved) {
  CommandResult result =
      hangar({"run-once", "-f", "acb.yaml", "--output", "json", repo.fileUrl() + "#main:app"});
  ASSERT_EQ(result.exit_code, 1) << result.describe();  // the secret is missing: Error before any step
  nlohmann::json record = nlohmann::json::parse(result.out);
  EXPECT_EQ(record["status"], "Error") << result.out;
  EXPECT_EQ(record["source"]["commit"], head);
  EXPECT_EQ(record["source"]["branch"], "main");
  EXPECT_EQ(record["source"]["tag"], "");
  EXPECT_EQ(record["source"]["repository"], repo.fileUrl());
  EXPECT_NE(result.err.find("Source: " + repo.fileUrl() + " at " + head + " (branch main)"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(contextsEmpty());
  EXPECT_TRUE(fs::is_directory(dir.path() / "state" / "git-mirrors")) << "the mirror cache stays";
}

TEST_F(GitContextRunOnce, BrokenTaskFileInTheContextStillRemovesIt) {
  CommandResult result = hangar({"run-once", "-f", "acb.yaml", repo.fileUrl() + "#main:broken"});
  EXPECT_EQ(result.exit_code, 2) << result.describe();
  EXPECT_TRUE(contextsEmpty());
}

TEST_F(GitContextRunOnce, FetchFailureExitsTwoNamingUrlRefAndCause) {
  CommandResult result = hangar({"run-once", "-f", "acb.yaml", repo.fileUrl() + "#no-such-branch:app"});
  EXPECT_EQ(result.exit_code, 2) << result.describe();
  EXPECT_NE(result.err.find(repo.fileUrl()), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("'no-such-branch'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("ref not found"), std::string::npos) << result.err;
  EXPECT_TRUE(contextsEmpty());

  // Credentials in the URL never reach the message.
  result = hangar({"run-once", "-f", "acb.yaml", "http://user:s3cret-pw@127.0.0.1:1/app.git#main"});
  EXPECT_EQ(result.exit_code, 2) << result.describe();
  EXPECT_EQ(result.err.find("s3cret-pw"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("http://127.0.0.1:1/app.git"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("'main'"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace hangar::test
