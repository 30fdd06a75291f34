#pragma once

#include <chrono>
#include <memory>
#include <stop_token>
#include <vector>

#include "agent/disk_guard.hpp"
#include "agent/service_state.hpp"

namespace hangar::agent {

/// The paths the disk guard watches for `config`: the state directory, the spool, and diskGuard.paths.
std::vector<std::filesystem::path> diskGuardPaths(const config::AgentConfig& config);

/// The service's periodic chores on a thread of their own: the disk guard is probed every
/// `guardInterval` (changes logged: claims stop, claims resume), and log retention runs at once and
/// then every `retentionInterval`, never touching the log of a queued or running run.
/// `config` gives the configuration in force (reloads apply at the next pass).
void housekeepingLoop(ServiceState& state,
                      const std::function<std::shared_ptr<const config::AgentConfig>()>& config,
                      DiskGuard& guard, std::stop_token stop,
                      std::chrono::milliseconds guardInterval = std::chrono::seconds(2),
                      std::chrono::milliseconds retentionInterval = std::chrono::hours(1));

/// One pass of log retention for `config` over the state's logs; returns a line for the log, or ""
/// when nothing was removed.
std::string applyRetentionOnce(ServiceState& state, const config::AgentConfig& config);

}  // namespace hangar::agent
