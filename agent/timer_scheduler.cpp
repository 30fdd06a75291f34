#include "agent/timer_scheduler.hpp"

#include <algorithm>

namespace hangar::agent {

namespace {

// The latest occurrence in (from, now]: searched in growing windows back from `now`, so a long
// downtime costs a few steps, not one per missed minute.
std::optional<TimePoint> latestOccurrence(const config::CronExpression& schedule, TimePoint from,
                                          TimePoint now) {
  using std::chrono::minutes;
  for (auto window : {minutes(2), minutes(120), minutes(3000), minutes(1440 * 40), minutes(1440 * 400),
                      minutes(1440 * 9 * 366)}) {
    TimePoint start = std::max(from, now - window);
    std::optional<TimePoint> latest;
    for (auto next = schedule.nextAfter(start); next && *next <= now; next = schedule.nextAfter(*next))
      latest = next;
    if (latest || start == from) return latest;
  }
  return std::nullopt;
}

}  // namespace

TimerScheduler::TimerScheduler(RunStore& store, TimePoint startedAt) : store_(store), startedAt_(startedAt) {}

std::vector<TimerFiring> TimerScheduler::due(const config::AgentConfig& config, TimePoint now) {
  std::vector<TimerFiring> firings;
  for (const auto& task : config.tasks) {
    if (!task.enabled) continue;
    for (const auto& timer : task.timers) {
      auto last = store_.lastTimerFiring(task.name, timer.name);
      // Occurrences strictly after `from` and not after `now` are candidates.
      TimePoint from = last ? *last : startedAt_ - std::chrono::seconds(1);
      if (task.catchup == config::Catchup::None) from = std::max(from, startedAt_ - std::chrono::seconds(1));
      std::optional<TimePoint> latest = latestOccurrence(timer.schedule, from, now);
      if (latest) firings.push_back({task.name, timer.name, *latest});
    }
  }
  std::sort(firings.begin(), firings.end(),
            [](const TimerFiring& a, const TimerFiring& b) { return a.scheduledAt < b.scheduledAt; });
  return firings;
}

std::optional<TimePoint> nextFireTime(const config::TimerSettings& timer, TimePoint now) {
  return timer.schedule.nextAfter(now);
}

std::optional<TimePoint> nextFireTime(const config::AgentConfig& config, TimePoint now) {
  std::optional<TimePoint> earliest;
  for (const auto& task : config.tasks) {
    if (!task.enabled) continue;
    for (const auto& timer : task.timers)
      if (auto next = nextFireTime(timer, now); next && (!earliest || *next < *earliest)) earliest = next;
  }
  return earliest;
}

}  // namespace hangar::agent
