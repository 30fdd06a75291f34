#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/run_store.hpp"
#include "config/agent_config.hpp"

namespace hangar::agent {

/// One timer firing that is due: run `task` for the occurrence `scheduledAt` of `timer`.
struct TimerFiring {
  std::string task;
  std::string timer;
  TimePoint scheduledAt;
};

/// The delay of one occurrence of a timer with `jitter:`: from 0 to `maxSeconds` (inclusive).
using TimerJitter = std::function<std::chrono::seconds(const std::string& task, const std::string& timer,
                                                       TimePoint occurrence, int maxSeconds)>;

/// The production jitter: a hash of this host's name, the task, the timer and the occurrence, so it
/// is stable across restarts (a due firing does not move) and differs between agents and days, like
/// systemd's RandomizedDelaySec= with FixedRandomDelay=.
TimerJitter hostTimerJitter();

/// Decides which cron timers are due. A timer fires once for the latest occurrence not yet recorded in
/// the run store; occurrences missed while the agent was down give one run (`catchup: latest`) or none
/// (`catchup: none`: only occurrences since the agent started count). A timer never recorded starts
/// counting at the agent's start, so a new timer does not fire for the past. A timer with `jitter`
/// fires each occurrence at occurrence + jitter(occurrence), recorded under the occurrence's time.
class TimerScheduler {
 public:
  /// `startedAt`: when this agent started (by the service clock).
  TimerScheduler(RunStore& store, TimePoint startedAt, TimerJitter jitter = hostTimerJitter());

  /// The firings due at `now` for the enabled tasks of `config`, oldest occurrence first. The caller
  /// records each with RunStore::recordTimerFiring before enqueueing it.
  std::vector<TimerFiring> due(const config::AgentConfig& config, TimePoint now);

 private:
  RunStore& store_;
  TimePoint startedAt_;
  TimerJitter jitter_;
};

/// The next time `timer` fires after `now`, or nothing (a schedule that never fires).
std::optional<TimePoint> nextFireTime(const config::TimerSettings& timer, TimePoint now);

/// One coming firing of a timer: its cron occurrence and when it fires (the occurrence plus its jitter).
struct NextFiring {
  TimePoint occurrence;
  TimePoint firesAt;
};

/// The next firing after `now` of `timer` of task `task`, the occurrence's `jitter` delay counted (an
/// occurrence already past whose delayed firing is still ahead comes first), or nothing (a schedule that
/// never fires). Without jitter (or `jitter:` 0) firesAt is the occurrence.
std::optional<NextFiring> nextFiring(const std::string& task, const config::TimerSettings& timer,
                                     TimePoint now, const TimerJitter& jitter);

/// The earliest next fire time of every enabled task's timers after `now`, or nothing. With `jitter`,
/// an occurrence's delay counts (one already past whose delayed time is still ahead included).
std::optional<TimePoint> nextFireTime(const config::AgentConfig& config, TimePoint now,
                                      const TimerJitter& jitter = {});

}  // namespace hangar::agent
