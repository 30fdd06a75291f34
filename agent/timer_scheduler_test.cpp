#include "agent/timer_scheduler.hpp"

#include <gtest/gtest.h>

#include "config/diagnostic.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

TimePoint at(const std::string& text) { return *runner::parseTime(text); }

config::AgentConfig configWith(const std::string& schedule, config::Catchup catchup) {
  config::AgentConfig config;
  config::TaskDefinition task;
  task.name = "tick";
  task.catchup = catchup;
  task.timers.push_back({"t", config::CronExpression::parse(schedule), {}});
  config.tasks.push_back(task);
  return config;
}

class TimerSchedulerTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  RunStore store{dir.path() / "runs.db"};
};

TEST_F(TimerSchedulerTest, ANewTimerFiresFromTheAgentsStartOnly) {
  auto config = configWith("* * * * *", config::Catchup::Latest);
  TimerScheduler scheduler(store, at("2026-03-01T10:00:30Z"));
  EXPECT_TRUE(scheduler.due(config, at("2026-03-01T10:00:59Z")).empty());
  auto due = scheduler.due(config, at("2026-03-01T10:01:00Z"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].scheduledAt, at("2026-03-01T10:01:00Z"));
  EXPECT_EQ(due[0].task, "tick");
  EXPECT_EQ(due[0].timer, "t");
}

TEST_F(TimerSchedulerTest, ARecordedFiringIsNotDueAgain) {
  auto config = configWith("* * * * *", config::Catchup::Latest);
  TimerScheduler scheduler(store, at("2026-03-01T10:00:30Z"));
  auto due = scheduler.due(config, at("2026-03-01T10:01:10Z"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_TRUE(store.recordTimerFiring("tick", "t", due[0].scheduledAt, "r1"));
  EXPECT_TRUE(scheduler.due(config, at("2026-03-01T10:01:50Z")).empty());
  EXPECT_EQ(scheduler.due(config, at("2026-03-01T10:02:00Z")).size(), 1u);
}

TEST_F(TimerSchedulerTest, CatchupLatestGivesOneFiringForTheDowntime) {
  auto config = configWith("*/5 * * * *", config::Catchup::Latest);
  store.recordTimerFiring("tick", "t", at("2026-03-01T10:00:00Z"), "r1");
  TimerScheduler scheduler(store, at("2026-03-03T07:12:00Z"));  // two days later
  auto due = scheduler.due(config, at("2026-03-03T07:12:00Z"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].scheduledAt, at("2026-03-03T07:10:00Z"));
}

TEST_F(TimerSchedulerTest, CatchupNoneSkipsTheDowntime) {
  auto config = configWith("*/5 * * * *", config::Catchup::None);
  store.recordTimerFiring("tick", "t", at("2026-03-01T10:00:00Z"), "r1");
  TimerScheduler scheduler(store, at("2026-03-03T07:12:00Z"));
  EXPECT_TRUE(scheduler.due(config, at("2026-03-03T07:12:00Z")).empty());
  auto due = scheduler.due(config, at("2026-03-03T07:15:00Z"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].scheduledAt, at("2026-03-03T07:15:00Z"));
}

TEST_F(TimerSchedulerTest, DisabledTasksAndNeverFiringSchedulesAreNotDue) {
  auto config = configWith("0 0 30 2 *", config::Catchup::Latest);
  TimerScheduler scheduler(store, at("2026-03-01T10:00:00Z"));
  EXPECT_TRUE(scheduler.due(config, at("2030-03-01T10:00:00Z")).empty());
  EXPECT_FALSE(nextFireTime(config, at("2026-03-01T10:00:00Z")));
  config = configWith("* * * * *", config::Catchup::Latest);
  config.tasks[0].enabled = false;
  EXPECT_TRUE(scheduler.due(config, at("2026-03-01T10:05:00Z")).empty());
  EXPECT_FALSE(nextFireTime(config, at("2026-03-01T10:00:00Z")));
}

TEST_F(TimerSchedulerTest, NextFireTimeIsTheEarliestOfAllTimers) {
  auto config = configWith("0 2 * * *", config::Catchup::Latest);
  config.tasks[0].timers.push_back({"hourly", config::CronExpression::parse("@hourly"), {}});
  EXPECT_EQ(nextFireTime(config, at("2026-03-01T10:00:30Z")), at("2026-03-01T11:00:00Z"));
  EXPECT_EQ(nextFireTime(config.tasks[0].timers[0], at("2026-03-01T10:00:30Z")), at("2026-03-02T02:00:00Z"));
}

TEST_F(TimerSchedulerTest, AJitteredTimerFiresItsOccurrenceAfterTheDelayAndNotBefore) {
  auto config = configWith("*/10 * * * *", config::Catchup::Latest);
  config.tasks[0].timers[0].jitter = 120;
  int calls = 0;
  TimerJitter jitter = [&](const std::string& task, const std::string& timer, TimePoint occurrence, int max) {
    ++calls;
    EXPECT_EQ(task, "tick");
    EXPECT_EQ(timer, "t");
    EXPECT_EQ(max, 120);
    // 10:10 waits 90 s, 10:20 waits 500 s (clamped to the timer's 120).
    return occurrence == at("2026-03-01T10:10:00Z") ? std::chrono::seconds(90) : std::chrono::seconds(500);
  };
  TimerScheduler scheduler(store, at("2026-03-01T10:05:00Z"), jitter);
  EXPECT_TRUE(scheduler.due(config, at("2026-03-01T10:11:29Z")).empty());
  auto due = scheduler.due(config, at("2026-03-01T10:11:30Z"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].scheduledAt, at("2026-03-01T10:10:00Z"));  // recorded under the occurrence
  EXPECT_TRUE(store.recordTimerFiring("tick", "t", due[0].scheduledAt, "r1"));
  EXPECT_TRUE(scheduler.due(config, at("2026-03-01T10:21:59Z")).empty());
  due = scheduler.due(config, at("2026-03-01T10:22:00Z"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].scheduledAt, at("2026-03-01T10:20:00Z"));
  EXPECT_GT(calls, 0);
  // The loop wakes for the delayed time, not the bare occurrence.
  EXPECT_EQ(nextFireTime(config, at("2026-03-01T10:10:30Z"), jitter), at("2026-03-01T10:11:30Z"));
  EXPECT_EQ(nextFireTime(config, at("2026-03-01T10:05:00Z"), jitter), at("2026-03-01T10:11:30Z"));
}

TEST_F(TimerSchedulerTest, NextFiringGivesTheOccurrenceAndItsDelayedFiringTime) {
  auto config = configWith("*/10 * * * *", config::Catchup::Latest);
  const config::TimerSettings& timer = config.tasks[0].timers[0];
  TimerJitter jitter = [&](const std::string&, const std::string&, TimePoint occurrence, int) {
    return occurrence == at("2026-03-01T10:10:00Z") ? std::chrono::seconds(90) : std::chrono::seconds(30);
  };
  // No jitter configured: the firing is the occurrence, whatever the jitter function says.
  auto next = nextFiring("tick", timer, at("2026-03-01T10:10:30Z"), jitter);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->occurrence, at("2026-03-01T10:20:00Z"));
  EXPECT_EQ(next->firesAt, at("2026-03-01T10:20:00Z"));
  config.tasks[0].timers[0].jitter = 120;
  // 10:10 is past but its delayed firing (10:11:30) is still ahead: it comes first.
  next = nextFiring("tick", timer, at("2026-03-01T10:10:30Z"), jitter);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->occurrence, at("2026-03-01T10:10:00Z"));
  EXPECT_EQ(next->firesAt, at("2026-03-01T10:11:30Z"));
  next = nextFiring("tick", timer, at("2026-03-01T10:11:30Z"), jitter);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->occurrence, at("2026-03-01T10:20:00Z"));
  EXPECT_EQ(next->firesAt, at("2026-03-01T10:20:30Z"));
  EXPECT_FALSE(nextFiring("tick", configWith("0 0 30 2 *", config::Catchup::Latest).tasks[0].timers[0],
                          at("2026-03-01T10:00:00Z"), jitter));
}

TEST_F(TimerSchedulerTest, TheHostJitterIsStableAndWithinTheBound) {
  auto jitter = hostTimerJitter();
  auto first = jitter("web", "nightly", at("2026-03-01T02:00:00Z"), 600);
  EXPECT_EQ(jitter("web", "nightly", at("2026-03-01T02:00:00Z"), 600), first);
  bool differs = false;
  for (int day = 2; day < 20; ++day) {
    auto delay =
        jitter("web", "nightly",
               at("2026-03-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "T02:00:00Z"), 600);
    EXPECT_GE(delay.count(), 0);
    EXPECT_LE(delay.count(), 600);
    differs = differs || delay != first;
  }
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace hangar::agent
