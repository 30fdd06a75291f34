#pragma once

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

/// Decides which cron timers are due. A timer fires once for the latest occurrence not yet recorded in
/// the run store; occurrences missed while the agent was down give one run (`catchup: latest`) or none
/// (`catchup: none`: only occurrences since the agent started count). A timer never recorded starts
/// counting at the agent's start, so a new timer does not fire for the past.
class TimerScheduler {
 public:
  /// `startedAt`: when this agent started (by the service clock).
  TimerScheduler(RunStore& store, TimePoint startedAt);

  /// The firings due at `now` for the enabled tasks of `config`, oldest occurrence first. The caller
  /// records each with RunStore::recordTimerFiring before enqueueing it.
  std::vector<TimerFiring> due(const config::AgentConfig& config, TimePoint now);

 private:
  RunStore& store_;
  TimePoint startedAt_;
};

/// The next time `timer` fires after `now`, or nothing (a schedule that never fires).
std::optional<TimePoint> nextFireTime(const config::TimerSettings& timer, TimePoint now);

/// The earliest next fire time of every enabled task's timers after `now`, or nothing.
std::optional<TimePoint> nextFireTime(const config::AgentConfig& config, TimePoint now);

}  // namespace hangar::agent
