// runTask with secrets: secret volumes (written privately, mounted read-only only where named) and
// masking of every secret value in the record.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "runner/task_run.hpp"
#include "runner/task_run_test_helper.hpp"

namespace hangar::runner {
namespace {

using namespace test_helper;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

config::VolumeSpec volume(std::string name, std::map<std::string, std::string> secret) {
  config::VolumeSpec spec;
  spec.name = std::move(name);
  spec.secret = std::move(secret);
  return spec;
}

// The container a `buildah run` spec runs: the argument before "--".
std::string runContainerOf(const ProcessSpec& spec) {
  const auto dashes = std::find(spec.argv.begin(), spec.argv.end(), "--");
  return dashes == spec.argv.begin() || dashes == spec.argv.end() ? "" : *(dashes - 1);
}

TEST_F(TaskRunTest, SecretVolumesAreMountedReadOnlyOnlyIntoTheStepsNamingThem) {
  request.task.volumes = {volume("creds", {{"token", "c2VjcmV0LXRva2Vu"}})};  // "secret-token"
  auto mounting = cmdStep("mounting", "img");
  mounting.volumeMounts = {{"creds", "/run/test"}};
  request.task.steps = {mounting, cmdStep("plain", "img")};
  const fs::path volumeDir = runDir() / "secret-volumes" / "creds";
  std::map<std::string, std::vector<std::string>> runArgs;
  std::string contentSeen;
  mode_t modeSeen = 0;
  launcher.script = [&](const ProcessSpec& spec) {
    if (verbOf(spec) == "run") {
      runArgs[stepOf(runContainerOf(spec))] = spec.argv;
      struct stat info {};
      if (::stat((volumeDir / "token").c_str(), &info) == 0) modeSeen = info.st_mode & 07777;
      contentSeen = test::read_file(volumeDir / "token");
    }
    return Reply{};
  };
  const auto record = run();
  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_THAT(runArgs["mounting"], Contains(volumeDir.string() + ":/run/test:ro"));
  EXPECT_THAT(runArgs["plain"], Not(Contains(HasSubstr("secret-volumes"))));
  EXPECT_EQ(contentSeen, "secret-token");
  EXPECT_EQ(modeSeen, 0400u);
  EXPECT_FALSE(fs::exists(runDir()));  // removed with the run
}

TEST_F(TaskRunTest, AVolumeThatIsNotBase64FailsTheRunBeforeAnyStep) {
  request.task.volumes = {volume("creds", {{"token", "not base64!"}})};
  request.task.steps = {cmdStep("a", "img")};
  const auto record = run();
  EXPECT_EQ(record.status, RunStatus::Error);
  EXPECT_EQ(record.error, "cannot prepare the run: volume 'creds': the value of 'token' is not valid base64");
  EXPECT_EQ(record.steps[0].status, StepStatus::Skipped);
  EXPECT_TRUE(launcher.specs().empty());
}

TEST_F(TaskRunTest, AMountOfAnUndeclaredVolumeFailsTheStep) {
  auto step = cmdStep("a", "img");
  step.volumeMounts = {{"nope", "/run/x"}};
  request.task.steps = {step};
  const auto record = run();
  EXPECT_EQ(record.status, RunStatus::Failed);
  EXPECT_EQ(record.steps[0].error,
            "failed to run step ID: a: volumeMounts: 'nope' is not a volume of the task");
}

TEST_F(TaskRunTest, DecodedVolumeValuesAndSecretsAreMaskedInTheRecord) {
  request.task.volumes = {volume("creds", {{"token", "aHVudGVyMw=="}})};  // "hunter3"
  request.secretValues = {"hunter2"};
  request.task.steps = {cmdStep("a", "127.0.0.1:5000/hunter3"), cmdStep("b", "127.0.0.1:5000/hunter2")};
  request.task.steps[0].ignoreErrors = true;
  launcher.script = [](const ProcessSpec& spec) { return verbOf(spec) == "from" ? exits(125) : Reply{}; };
  const auto record = run();
  EXPECT_EQ(record.status, RunStatus::Failed);
  EXPECT_EQ(record.steps[0].error,
            "failed to run step ID: a: cannot create a container from 127.0.0.1:5000/***: exit status 125");
  EXPECT_EQ(record.error,
            "failed to run step ID: b: cannot create a container from 127.0.0.1:5000/***: exit status 125");
  EXPECT_THAT(record.toJson().dump(), Not(HasSubstr("hunter")));
}

}  // namespace
}  // namespace hangar::runner
