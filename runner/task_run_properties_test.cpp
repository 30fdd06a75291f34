// runTask acting on step properties: build dependencies, pull with retries, privileged, and the
// run-level warning when step timeouts cannot fit the run timeout.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runner/task_run.hpp"
#include "runner/task_run_test_helper.hpp"

namespace hangar::runner {
namespace {

using namespace test_helper;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kDigest = "sha256:" + std::string(64, 'c');

class TaskRunPropertiesTest : public TaskRunTest {
 protected:
  TaskRunPropertiesTest() {
    context.write("Dockerfile",
                  "ARG BASE=127.0.0.1:5000/base:1\nFROM golang:1.22 AS builder\nRUN make\nFROM ${BASE}\n"
                  "COPY --from=builder /app /app\n");
    request.contextDir = context.path();
  }
  test::TempDir context;
};

TEST_F(TaskRunPropertiesTest, ABuildRecordsItsBaseImagesWithDigestsOncePerTag) {
  request.task.steps = {buildStep(
      "b", "-t 127.0.0.1:5000/app:1 -t 127.0.0.1:5000/app:latest --build-arg BASE=127.0.0.1:5000/b2 .")};
  std::vector<std::string> looked;
  launcher.script = [&](const ProcessSpec& spec) {
    if (verbOf(spec) != "images") return Reply{};
    looked.push_back(spec.argv.back());
    return exits(0, kDigest + "\n" + kDigest + "\n");
  };
  const auto record = run();
  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_THAT(looked, ::testing::UnorderedElementsAre("golang:1.22", "127.0.0.1:5000/b2"));
  ASSERT_EQ(record.dependencies.size(), 2u);
  EXPECT_EQ(record.dependencies[0].image, "127.0.0.1:5000/app:1");
  EXPECT_EQ(record.dependencies[1].image, "127.0.0.1:5000/app:latest");
  EXPECT_EQ(record.dependencies[0].runtime.registry, "127.0.0.1:5000");
  EXPECT_EQ(record.dependencies[0].runtime.repository, "b2");  // --build-arg overrides the ARG default
  EXPECT_EQ(record.dependencies[0].runtime.tag, "latest");
  EXPECT_EQ(record.dependencies[0].runtime.digest, kDigest);
  ASSERT_EQ(record.dependencies[0].buildtime.size(), 1u);
  EXPECT_EQ(record.dependencies[0].buildtime[0].repository, "library/golang");
  EXPECT_EQ(record.dependencies[0].buildtime[0].digest, kDigest);
  EXPECT_THAT(log.text(), HasSubstr("The following dependencies were found:\n[\n"));
  EXPECT_THAT(log.text(), HasSubstr("\"runtime-dependency\""));
}

TEST_F(TaskRunPropertiesTest, ADependencyScanProblemNeverFailsTheBuild) {
  request.task.steps = {buildStep("b", "-t app -f missing.dockerfile .")};
  const auto record = run();
  EXPECT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_TRUE(record.dependencies.empty());
  EXPECT_THAT(log.text(), HasSubstr("Warning: step b: cannot list the build's dependencies: cannot read "));
  // An unknown digest is recorded empty, not an error.
  request.runId = "r2";
  request.task.steps = {buildStep("b", "-t app .")};
  launcher.script = [](const ProcessSpec& spec) { return verbOf(spec) == "images" ? exits(125) : Reply{}; };
  const auto second = run();
  ASSERT_EQ(second.status, RunStatus::Succeeded);
  ASSERT_EQ(second.dependencies.size(), 1u);
  EXPECT_EQ(second.dependencies[0].runtime.digest, "");
}

TEST_F(TaskRunTest, PullPullsFirstWithTheDownloadRetries) {
  auto step = cmdStep("c", "127.0.0.1:5000/tool:1");
  step.pull = true;
  step.cmdDownloadRetries = 3;
  step.cmdDownloadRetryDelay = 2;
  request.task.steps = {step};
  const auto record = run();
  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_THAT(launcher.verbs(), ElementsAre("pull", "from", "inspect", "run", "rm"));
  const auto pull = launcher.specs()[0].argv;
  EXPECT_THAT(pull, Contains("--retry"));
  EXPECT_EQ(argAfter(launcher.specs()[0], "--retry"), "3");
  EXPECT_EQ(argAfter(launcher.specs()[0], "--retry-delay"), "2s");
  EXPECT_EQ(argAfter(launcher.specs()[0], "--policy"), "always");
  EXPECT_THAT(pull, Contains("--tls-verify=false"));  // a loopback registry
  EXPECT_THAT(launcher.specs()[1].argv, Contains("--pull=missing"));
}

TEST_F(TaskRunTest, AFailedPullFailsTheStepWithoutAContainer) {
  auto step = cmdStep("c", "127.0.0.1:5000/tool:1");
  step.pull = true;
  request.task.steps = {step};
  launcher.script = [](const ProcessSpec& spec) { return verbOf(spec) == "pull" ? exits(125) : Reply{}; };
  const auto record = run();
  EXPECT_EQ(record.status, RunStatus::Failed);
  EXPECT_EQ(record.steps[0].error,
            "failed to run step ID: c: cannot pull 127.0.0.1:5000/tool:1: exit status 125");
  EXPECT_THAT(launcher.verbs(), ElementsAre("pull"));
}

TEST_F(TaskRunTest, PrivilegedStepsGetEveryCapability) {
  auto step = cmdStep("c", "img");
  step.privileged = true;
  request.task.steps = {step, cmdStep("d", "img")};
  const auto record = run();
  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error;
  std::vector<std::vector<std::string>> runs;
  for (const auto& spec : launcher.specs())
    if (verbOf(spec) == "run") runs.push_back(spec.argv);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(argAfter(ProcessSpec{runs[0], {}, {}, {}}, "--cap-add"), "all");
  EXPECT_THAT(runs[1], Not(Contains("--cap-add")));
}

TEST_F(TaskRunTest, WarnsWhenStepTimeoutsCannotFitTheRunTimeout) {
  request.timeoutSeconds = 1000;
  request.task.steps = {cmdStep("a", "img"), cmdStep("b", "img")};  // 600 + 600 in a row
  run();
  EXPECT_THAT(log.text(),
              HasSubstr("Warning: the step timeouts on the longest path of the task add up to 1200 s, "
                        "more than the run timeout of 1000 s"));
  request.runId = "r2";
  request.timeoutSeconds = 1200;
  auto quiet = RecordingLog();
  runTask(request, launcher, quiet, {});
  EXPECT_THAT(quiet.text(), Not(HasSubstr("longest path")));
}

}  // namespace
}  // namespace hangar::runner
