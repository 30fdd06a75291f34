#include "runner/run_summary.hpp"

#include <gtest/gtest.h>

#include "runner/memory_log.hpp"

namespace hangar::runner {
namespace {

using namespace std::chrono_literals;

const TimePoint kStart = std::chrono::sys_days(std::chrono::year(2026) / 11 / 25) + 8h;

StepRecord step(std::string id, StepStatus status, std::optional<int> exitCode,
                std::optional<std::chrono::milliseconds> from, std::optional<std::chrono::milliseconds> to,
                std::string error = "") {
  StepRecord record;
  record.id = std::move(id);
  record.status = status;
  record.exitCode = exitCode;
  if (from) record.startTime = kStart + *from;
  if (to) record.finishTime = kStart + *to;
  record.error = std::move(error);
  return record;
}

TEST(RunSummary, StepEndLineIsAcbs) {
  EXPECT_EQ(stepEndLine("build", StepStatus::Successful, 1234567us),
            "Step ID: build marked as successful (elapsed time in seconds: 1.234567)");
  EXPECT_EQ(stepEndLine("test", StepStatus::Failed, 0ns),
            "Step ID: test marked as failed (elapsed time in seconds: 0.000000)");
  EXPECT_EQ(stepEndLine(step("c", StepStatus::Canceled, 143, 1s, 3500ms)),
            "Step ID: c marked as canceled (elapsed time in seconds: 2.500000)");
  EXPECT_EQ(stepEndLine(step("s", StepStatus::Skipped, std::nullopt, std::nullopt, std::nullopt)),
            "Step ID: s marked as skipped (elapsed time in seconds: 0.000000)");
}

TEST(RunSummary, WholeSecondsLikeGo) {
  EXPECT_EQ(formatWholeSeconds(0ns), "0s");
  EXPECT_EQ(formatWholeSeconds(4600ms), "5s");
  EXPECT_EQ(formatWholeSeconds(65s), "1m5s");
  EXPECT_EQ(formatWholeSeconds(2h + 3s), "2h0m3s");
  EXPECT_EQ(formatWholeSeconds(-3s), "0s");
}

TEST(RunSummary, SuccessfulRun) {
  RunRecord record;
  record.id = "ca1";
  record.status = RunStatus::Succeeded;
  record.startTime = kStart;
  record.finishTime = kStart + 5200ms;
  record.steps = {step("build", StepStatus::Successful, 0, 0ms, 4321ms),
                  step("push", StepStatus::Successful, 0, 4321ms, 5100ms)};
  record.outputImages = {{"127.0.0.1:5000", "hello", "v1", "sha256:aaa"},
                         {"127.0.0.1:5000", "hello", "latest", "sha256:aaa"}};
  EXPECT_EQ(runSummaryLines(record), (std::vector<std::string>{
                                         "STEP   STATUS      EXIT CODE  DURATION",
                                         "build  Successful  0          4.321s",
                                         "push   Successful  0          0.779s",
                                         "Pushed images:",
                                         "  127.0.0.1:5000/hello:v1      sha256:aaa",
                                         "  127.0.0.1:5000/hello:latest  sha256:aaa",
                                         "Run ID: ca1 was successful after 5s",
                                     }));
}

TEST(RunSummary, FailedRunListsEveryStep) {
  RunRecord record;
  record.id = "cb6";
  record.status = RunStatus::Failed;
  record.error = "failed during run, err: exit status 1";
  record.startTime = kStart;
  record.finishTime = kStart + 9s;
  record.steps = {step("build-a", StepStatus::Successful, 0, 0ms, 125s),
                  step("build-b", StepStatus::Failed, 1, 0ms, 9s, "exit status 1"),
                  step("server", StepStatus::Canceled, 137, 1s, 9s, "canceled: step build-b failed"),
                  step("push", StepStatus::Skipped, std::nullopt, std::nullopt, std::nullopt)};
  EXPECT_EQ(runSummaryLines(record),
            (std::vector<std::string>{
                "STEP     STATUS      EXIT CODE  DURATION  ERROR",
                "build-a  Successful  0          2m05s",
                "build-b  Failed      1          9.000s    exit status 1",
                "server   Canceled    137        8.000s    canceled: step build-b failed",
                "push     Skipped     -          -",
                "Run ID: cb6 failed after 9s. Error: failed during run, err: exit status 1",
            }));
}

TEST(RunSummary, EndLineForEveryOutcome) {
  RunRecord record;
  record.id = "r1";
  record.startTime = kStart;
  record.finishTime = kStart + 3601s;
  record.status = RunStatus::Timeout;
  record.error = "the run exceeded its timeout of 3600 s";
  EXPECT_EQ(runEndLine(record),
            "Run ID: r1 timed out after 1h0m1s. Error: the run exceeded its timeout of 3600 s");
  record.status = RunStatus::Canceled;
  record.error.clear();
  EXPECT_EQ(runEndLine(record), "Run ID: r1 was canceled after 1h0m1s");
  record.status = RunStatus::Error;
  record.error = "cannot reach the registry";
  EXPECT_EQ(runEndLine(record), "Run ID: r1 failed after 1h0m1s. Error: cannot reach the registry");
  record.status = RunStatus::Running;
  record.error.clear();
  EXPECT_EQ(runEndLine(record), "Run ID: r1 is running");
  record.finishTime.reset();
  record.status = RunStatus::Failed;
  EXPECT_EQ(runEndLine(record), "Run ID: r1 failed after 0s");
}

TEST(RunSummary, RunWithoutStepsHasOnlyTheEndLine) {
  RunRecord record;
  record.id = "x";
  record.status = RunStatus::Error;
  record.error = "task file: 3:1: error: unknown key";
  EXPECT_EQ(runSummaryLines(record),
            std::vector<std::string>{"Run ID: x failed after 0s. Error: task file: 3:1: error: unknown key"});
}

TEST(RunSummary, GitSourceLineBeforeTheEndLine) {
  RunRecord record;
  record.id = "cg1";
  record.status = RunStatus::Succeeded;
  record.source = SourceRecord{"git://127.0.0.1:9418/app.git", std::string(40, 'b'), "main", ""};
  auto lines = runSummaryLines(record);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "Source: git://127.0.0.1:9418/app.git at " + std::string(40, 'b') + " (branch main)");
  EXPECT_EQ(lines[1], "Run ID: cg1 was successful after 0s");
  record.source->branch.clear();
  record.source->tag = "v2";
  EXPECT_EQ(runSummaryLines(record)[0],
            "Source: git://127.0.0.1:9418/app.git at " + std::string(40, 'b') + " (tag v2)");
}

TEST(RunSummary, LoggedLineByLine) {
  RunRecord record;
  record.id = "ca1";
  record.status = RunStatus::Succeeded;
  record.steps = {step("a", StepStatus::Successful, 0, 0ms, 1ms)};
  MemoryLog log;
  logRunSummary(record, log);
  EXPECT_EQ(log.infoLines(), runSummaryLines(record));
  EXPECT_EQ(log.infoLines().size(), 3u);
}

}  // namespace
}  // namespace hangar::runner
