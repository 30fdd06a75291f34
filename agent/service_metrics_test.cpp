#include "agent/service_metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/sink.h>

namespace hangar::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ServiceMetrics, RendersReadingsCountersAndTheStepHistogram) {
  ServiceMetrics metrics;
  auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  metrics.timerFired("web", "nightly", false, when);
  metrics.timerFired("web", "nightly", true, when + std::chrono::seconds(60));
  runner::RunRecord record;
  runner::StepRecord quick, slow;
  quick.startTime = when;
  quick.finishTime = when + std::chrono::milliseconds(500);
  slow.startTime = when;
  slow.finishTime = when + std::chrono::seconds(100);
  record.steps = {quick, slow, runner::StepRecord{}};  // a skipped step has no times: not counted
  metrics.runFinished(record);
  MetricsReadings readings;
  readings.runsByStatus = {{"Succeeded", 3}, {"Running", 1}};
  readings.queueDepth = 4;
  readings.slotsBusy = 1;
  readings.slotsTotal = 2;
  readings.claimsPaused = "full";
  readings.freeBytes = {{"/var/lib/hangar", 1024}};
  const std::string text = metrics.render(readings);
  EXPECT_THAT(text, HasSubstr("hangar_runs{status=\"Succeeded\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("hangar_runs{status=\"Running\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hangar_runs{status=\"Timeout\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("hangar_queue_depth 4\n"));
  EXPECT_THAT(text, HasSubstr("hangar_slots_busy 1\n"));
  EXPECT_THAT(text, HasSubstr("hangar_slots 2\n"));
  EXPECT_THAT(text, HasSubstr("hangar_claims_paused 1\n"));
  EXPECT_THAT(text, HasSubstr("hangar_disk_free_bytes{path=\"/var/lib/hangar\"} 1024\n"));
  EXPECT_THAT(
      text, HasSubstr("hangar_timer_firings_total{task=\"web\",timer=\"nightly\",result=\"enqueued\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("hangar_timer_firings_total{task=\"web\",timer=\"nightly\",result=\"skipped\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hangar_last_timer_firing_timestamp_seconds{task=\"web\"} 1700000000\n"));
  EXPECT_THAT(text, HasSubstr("hangar_step_duration_seconds_bucket{le=\"1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hangar_step_duration_seconds_bucket{le=\"60\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hangar_step_duration_seconds_bucket{le=\"120\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hangar_step_duration_seconds_bucket{le=\"+Inf\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hangar_step_duration_seconds_count 2\n"));
  EXPECT_THAT(text, HasSubstr("hangar_step_duration_seconds_sum 100.5\n"));
  EXPECT_THAT(text, HasSubstr("hangar_errors_total 0\n"));
  EXPECT_THAT(text, Not(HasSubstr("hangar_last_error{")));
}

TEST(ServiceMetrics, TheErrorSinkCountsErrorsAndKeepsTheLastEscaped) {
  ServiceMetrics metrics;
  spdlog::logger logger("test", metrics.errorSink());
  logger.warn("only a warning");
  logger.error("first");
  logger.error("disk \"full\"\nbadly");
  const std::string text = metrics.render({});
  EXPECT_THAT(text, HasSubstr("hangar_errors_total 2\n"));
  EXPECT_THAT(text, HasSubstr("hangar_last_error{message=\"disk \\\"full\\\"\\nbadly\"} "));
}

TEST(ServiceMetrics, TheSinkOutlivingTheMetricsIsHarmless) {
  std::shared_ptr<spdlog::sinks::sink> sink;
  {
    ServiceMetrics metrics;
    sink = metrics.errorSink();
  }
  spdlog::logger logger("test", sink);
  logger.error("after the metrics are gone");
  SUCCEED();
}

}  // namespace
}  // namespace hangar::agent
