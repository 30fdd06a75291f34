#include "agent/task_preparation.hpp"

#include <gmock/gmock.h>
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
  EXPECT_EQ(prepared.load.data.run.taskName, "");  // a quick run, as `az acr run`

  options.taskName = "nightly-web";  // a configured task's run
  EXPECT_EQ(prepareTask(options, "ca2").load.data.run.taskName, "nightly-web");
  const auto request = makeRunRequest(options, prepareTask(options, "ca3"), {}, "ca3", dir.path() / "work");
  EXPECT_EQ(request.taskName, "nightly-web");
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
  // A git context that cannot be fetched (nothing listens on port 1 of loopback) is a usage error.
  test::TempDir state;
  options.stateDir = state.path();
  options.context = "http://127.0.0.1:1/repo.git";
  EXPECT_THROW(prepareTask(options, "ca4"), UsageError);
}

TEST(PrepareTask, SecretFlagsFillDotSecretsFromValuesAndFilesAndAreMasked) {
  test::TempDir dir;
  dir.write("token.txt", "from-a-file\n");
  RunOnceOptions options;
  options.context = "/dev/null";
  options.command = "busybox echo hi";
  options.secrets = {"inline=p@ss=word", "fromFile=@" + (dir.path() / "token.txt").string(), "empty="};
  PreparedTask prepared = prepareTask(options, "cs1");
  const std::map<std::string, std::string> expected = {
      {"inline", "p@ss=word"}, {"fromFile", "from-a-file"}, {"empty", ""}};
  EXPECT_EQ(prepared.load.data.secrets, expected);
  EXPECT_THAT(prepared.secretValues, ::testing::UnorderedElementsAre("p@ss=word", "from-a-file"));
  EXPECT_TRUE(prepared.load.data.values.empty());  // .Secrets only, not .Values
}

TEST(PrepareTask, MalformedSecretFlagsAreUsageErrorsThatNeverShowTheValue) {
  for (const std::string bad : {"novalue-s3cret", "=s3cret", "two words=s3cret", "a=s3cret a=s3cret",
                                "f=@/nonexistent/hangar-secret"}) {
    RunOnceOptions options;
    options.context = "/dev/null";
    options.command = "busybox echo hi";
    if (bad == "a=s3cret a=s3cret") {
      options.secrets = {"a=s3cret", "a=s3cret"};
    } else {
      options.secrets = {bad};
    }
    try {
      prepareTask(options, "cs2");
      ADD_FAILURE() << bad << " was accepted";
    } catch (const UsageError& e) {
      EXPECT_THAT(e.what(), ::testing::HasSubstr("--secret")) << bad;
      EXPECT_THAT(e.what(), ::testing::Not(::testing::HasSubstr("s3cret"))) << bad;
    }
  }
}

TEST(UnresolvedSecrets, TaskSecretsNotGivenLocallyNeedKeyVault) {
  config::Task task;
  config::SecretSpec a, b;
  a.id = "a";
  b.id = "b";
  task.secrets = {a, b};
  EXPECT_EQ(unresolvedSecretsError(task, {{"a", "x"}}),
            "failed to resolve secrets: Key Vault access is not configured (secrets: b; give them with "
            "--secret NAME=VALUE to run locally)");
  EXPECT_EQ(unresolvedSecretsError(task, {{"a", "x"}, {"b", "y"}}), std::nullopt);
  EXPECT_EQ(unresolvedSecretsError(config::Task{}, {}), std::nullopt);
}

}  // namespace
}  // namespace hangar::agent
