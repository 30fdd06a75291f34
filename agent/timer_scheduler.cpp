#include "agent/timer_scheduler.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdint>

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

std::chrono::seconds delayOf(const TimerJitter& jitter, const std::string& task,
                             const config::TimerSettings& timer, TimePoint occurrence) {
  if (timer.jitter <= 0 || !jitter) return std::chrono::seconds(0);
  return std::clamp(jitter(task, timer.name, occurrence, timer.jitter), std::chrono::seconds(0),
                    std::chrono::seconds(timer.jitter));
}

}  // namespace

TimerJitter hostTimerJitter() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return [host = std::string(host)](const std::string& task, const std::string& timer, TimePoint occurrence,
                                    int maxSeconds) {
    std::uint64_t hash = 14695981039346656037ull;  // FNV-1a
    auto mix = [&](std::string_view text) {
      for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
      hash = (hash ^ 0xff) * 1099511628211ull;
    };
    mix(host);
    mix(task);
    mix(timer);
    mix(std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(occurrence.time_since_epoch()).count()));
    return std::chrono::seconds(
        static_cast<std::int64_t>(hash % (static_cast<std::uint64_t>(maxSeconds) + 1)));
  };
}

TimerScheduler::TimerScheduler(RunStore& store, TimePoint startedAt, TimerJitter jitter)
    : store_(store), startedAt_(startedAt), jitter_(std::move(jitter)) {}

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
      // With jitter the latest occurrence may not be due yet; the one before it may be.
      if (latest && *latest + delayOf(jitter_, task.name, timer, *latest) > now)
        latest = latestOccurrence(timer.schedule, from, *latest - std::chrono::seconds(1));
      if (latest && *latest + delayOf(jitter_, task.name, timer, *latest) > now) latest.reset();
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

std::optional<NextFiring> nextFiring(const std::string& task, const config::TimerSettings& timer,
                                     TimePoint now, const TimerJitter& jitter) {
  std::optional<NextFiring> earliest;
  auto consider = [&](TimePoint occurrence) {
    TimePoint at = occurrence + delayOf(jitter, task, timer, occurrence);
    if (at > now && (!earliest || at < earliest->firesAt)) earliest = NextFiring{occurrence, at};
  };
  if (auto next = nextFireTime(timer, now)) consider(*next);
  if (timer.jitter > 0)  // an occurrence already past whose delayed firing is still ahead
    if (auto past = latestOccurrence(timer.schedule, now - std::chrono::seconds(timer.jitter + 1), now))
      consider(*past);
  return earliest;
}

std::optional<TimePoint> nextFireTime(const config::AgentConfig& config, TimePoint now,
                                      const TimerJitter& jitter) {
  std::optional<TimePoint> earliest;
  for (const auto& task : config.tasks) {
    if (!task.enabled) continue;
    for (const auto& timer : task.timers)
      if (auto next = nextFiring(task.name, timer, now, jitter);
          next && (!earliest || next->firesAt < *earliest))
        earliest = next->firesAt;
  }
  return earliest;
}

}  // namespace hangar::agent
