#include "agent/task_preparation.hpp"

#include <gtest/gtest.h>

#include "agent/usage_error.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

TEST(PrepareTask, FindsTheTaskFileInTheContextFirst) {
  test::TempDir dir;
  dir.write("ctx/acb.yaml", "steps:\n  - cmd: hello\n");
  RunOnceOptions options;
  options.context = (dir.path() / "ctx").string();
  options.registry = "myreg.azurecr.io";
  PreparedTask prepared = prepareTask(options, "ca1");
  EXPECT_EQ(prepared.load.text, "steps:\n  - cmd: hello\n");
  EXPECT_EQ(prepared.contextDir, dir.path() / "ctx");
  EXPECT_EQ(prepared.load.data.run.id, "ca1");
  EXPECT_EQ(prepared.load.data.run.registry, "myreg.azurecr.io");
  EXPECT_EQ(prepared.load.data.run.registryName, "myreg");
  EXPECT_EQ(prepared.load.data.run.date.size(), std::string("20240131-235959z").size());
  EXPECT_EQ(prepared.load.data.run.date.back(), 'z');
}

TEST(PrepareTask, MergesTheValuesFileWithSetPairsAndRemembersSecrets) {
  test::TempDir dir;
  dir.write("values.yaml", "a: 1\nnested: {x: file, y: file}\n");
  dir.write("acb.yaml", "steps:\n  - cmd: hello\n");
  RunOnceOptions options;
  options.context = dir.path().string();
  options.valuesFile = "values.yaml";
  options.sets = {"b=two"};
  options.secretSets = {"token=s3cret"};
  PreparedTask prepared = prepareTask(options, "ca2");
  EXPECT_EQ(prepared.load.data.values["a"], 1);
  EXPECT_EQ(prepared.load.data.values["b"], "two");
  EXPECT_EQ(prepared.load.data.values["token"], "s3cret");
  EXPECT_EQ(prepared.load.data.values["nested"]["y"], "file");
  EXPECT_EQ(prepared.secretValues, std::vector<std::string>{"s3cret"});
}

TEST(PrepareTask, DevNullMeansNoContextAndCmdBecomesAOneStepTask) {
  RunOnceOptions options;
  options.context = "/dev/null";
  options.command = "busybox echo hi";
  PreparedTask prepared = prepareTask(options, "ca3");
  EXPECT_TRUE(prepared.contextDir.empty());
  EXPECT_NE(prepared.load.text.find("busybox echo hi"), std::string::npos);
}

TEST(PrepareTask, RejectsWhatItCannotUseWithTheNameOfIt) {
  RunOnceOptions options;
  options.context = "/nonexistent/hangar-context";
  EXPECT_THROW(prepareTask(options, "ca4"), UsageError);
  options.context = "/dev/null";
  options.taskFile = "/nonexistent/task.yaml";
  try {
    prepareTask(options, "ca4");
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/task.yaml"), std::string::npos);
  }
  options.context = "https://example.invalid/repo.git";
  EXPECT_THROW(prepareTask(options, "ca4"), UsageError);
}

}  // namespace
}  // namespace hangar::agent
