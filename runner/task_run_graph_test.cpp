// runTask runs the `when` graph: parallel steps, waiting for every parent, the first failure
// stopping the run. Overlap is proven with latches (a step waits for another to be running), never
// with timing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runner/task_run.hpp"
#include "runner/task_run_test_helper.hpp"

namespace hangar::runner {
namespace {

using namespace test_helper;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr auto kLatchDeadline = std::chrono::seconds(20);

/// Opens once; waiters give up after a deadline (then the test fails, it never hangs).
class Latch {
 public:
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  bool waitOpen() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kLatchDeadline, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
};

// The step a spec's container belongs to ("" for specs without a container).
std::string stepOfSpec(const ProcessSpec& spec) {
  const std::string verb = verbOf(spec);
  if (verb == "from") return stepOf(argAfter(spec, "--name"));
  if (verb == "run") {
    const auto dashes = std::find(spec.argv.begin(), spec.argv.end(), "--");
    return dashes == spec.argv.begin() || dashes == spec.argv.end() ? "" : stepOf(*(dashes - 1));
  }
  return "";
}

config::Step rootStep(config::Step step) {
  step.when = {"-"};
  return step;
}

TEST_F(TaskRunTest, StepsHangingFromTheRootRunAtTheSameTime) {
  request.task.steps = {rootStep(cmdStep("a", "img")), rootStep(cmdStep("b", "img"))};
  Latch aRuns, bRuns;
  launcher.script = [&](const ProcessSpec& spec) {
    if (verbOf(spec) != "run") return Reply{};
    // Each step's command ends only once the other one is running too: sequential steps fail.
    const std::string step = stepOfSpec(spec);
    (step == "a" ? aRuns : bRuns).open();
    const bool other = (step == "a" ? bRuns : aRuns).waitOpen();
    return other ? exits(0) : exits(1, "the other step never ran alongside\n");
  };
  const auto record = run();
  EXPECT_EQ(record.status, RunStatus::Succeeded) << record.error << "\n" << log.text();
  EXPECT_EQ(record.steps[0].status, StepStatus::Successful);
  EXPECT_EQ(record.steps[1].status, StepStatus::Successful);
}

TEST_F(TaskRunTest, AStepStartsOnlyWhenEveryParentIsDone) {
  auto joined = cmdStep("c", "img");
  joined.when = {"a", "b"};
  request.task.steps = {rootStep(cmdStep("a", "img")), rootStep(cmdStep("b", "img")), joined};
  Latch bDone;
  log.onInfo = [&](std::string_view line) {
    if (line.starts_with("Step ID: b marked as successful")) bDone.open();
  };
  std::string logWhenCStarted;
  launcher.script = [&](const ProcessSpec& spec) {
    const std::string step = stepOfSpec(spec);
    if (verbOf(spec) == "run" && step == "a") return bDone.waitOpen() ? exits(0) : exits(1);
    if (verbOf(spec) == "from" && step == "c") logWhenCStarted = log.text();
    return Reply{};
  };
  const auto record = run();
  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error << "\n" << log.text();
  // a finished after b (it waited for b), so c waiting for both means it saw a finish.
  EXPECT_THAT(logWhenCStarted, HasSubstr("Step ID: a marked as successful"));
  EXPECT_THAT(logWhenCStarted, HasSubstr("Step ID: b marked as successful"));
}

TEST_F(TaskRunTest, TheFirstFailureCancelsRunningStepsAndSkipsTheOthers) {
  // a fails while b runs; c would follow b (no `when`: the step before it in the file).
  request.task.steps = {rootStep(cmdStep("a", "img")), rootStep(cmdStep("b", "img")), cmdStep("c", "img")};
  Latch bRuns;
  launcher.script = [&](const ProcessSpec& spec) {
    if (verbOf(spec) != "run") return Reply{};
    if (stepOfSpec(spec) == "b") {
      bRuns.open();
      return Reply{0, "b started\n", true};  // runs until it is killed
    }
    return bRuns.waitOpen() ? exits(3, "a fails\n") : exits(0);  // succeeding here fails the test
  };
  const auto record = run();
  EXPECT_EQ(record.status, RunStatus::Failed);
  EXPECT_EQ(record.error, "failed to run step ID: a: exit status 3");
  ASSERT_EQ(record.steps.size(), 3u);
  EXPECT_EQ(record.steps[0].status, StepStatus::Failed);
  EXPECT_EQ(record.steps[0].exitCode, 3);
  EXPECT_EQ(record.steps[1].status, StepStatus::Canceled);
  EXPECT_EQ(record.steps[2].status, StepStatus::Skipped);
  EXPECT_FALSE(record.steps[2].startTime.has_value());
  for (const auto& spec : launcher.specs()) EXPECT_NE(stepOfSpec(spec), "c") << "c was started";
  // Both containers were removed.
  EXPECT_EQ(launcher.count("rm"), 2u);
  EXPECT_THAT(log.text(), Not(HasSubstr("Executing step ID: c")));
}

TEST_F(TaskRunTest, AnIgnoredFailureLetsTheChildrenRun) {
  auto flaky = rootStep(cmdStep("a", "img"));
  flaky.ignoreErrors = true;
  auto after = cmdStep("b", "img");
  after.when = {"a"};
  request.task.steps = {flaky, after};
  launcher.script = [&](const ProcessSpec& spec) {
    return verbOf(spec) == "run" && stepOfSpec(spec) == "a" ? exits(1) : Reply{};
  };
  const auto record = run();
  EXPECT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_EQ(record.steps[1].status, StepStatus::Successful);
}

TEST_F(TaskRunTest, CancelingTheRunStopsEveryParallelStep) {
  request.task.steps = {rootStep(cmdStep("a", "img")), rootStep(cmdStep("b", "img")), cmdStep("c", "img")};
  std::stop_source stop;
  std::mutex mutex;
  int running = 0;
  launcher.script = [&](const ProcessSpec& spec) {
    if (verbOf(spec) != "run") return Reply{};
    std::lock_guard lock(mutex);
    if (++running == 2) stop.request_stop();  // both run: the user presses Ctrl-C
    return Reply{0, "", true};
  };
  const auto record = run(stop.get_token());
  EXPECT_EQ(record.status, RunStatus::Canceled);
  EXPECT_EQ(record.steps[0].status, StepStatus::Canceled);
  EXPECT_EQ(record.steps[1].status, StepStatus::Canceled);
  EXPECT_EQ(record.steps[2].status, StepStatus::Skipped);
  EXPECT_EQ(launcher.count("rm"), 2u);
}

TEST_F(TaskRunTest, AWhenNamingNoEarlierStepIsARunError) {
  auto step = cmdStep("a", "img");
  step.when = {"later"};
  request.task.steps = {step, cmdStep("later", "img")};
  const auto record = run();
  EXPECT_EQ(record.status, RunStatus::Error);
  EXPECT_THAT(record.error, HasSubstr("invalid step graph: step 'a': when names 'later'"));
  EXPECT_TRUE(launcher.specs().empty());
}

}  // namespace
}  // namespace hangar::runner
