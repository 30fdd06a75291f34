#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

#include "config/agent_config.hpp"

namespace hangar::agent {

/// What one pass of log retention removed.
struct LogRetentionReport {
  std::size_t removedForAge = 0;
  std::size_t removedForSize = 0;
  std::uintmax_t bytesRemoved = 0;
  std::uintmax_t bytesKept = 0;
};

/// Applies `logRetention` to the run logs in `logsDir` (files RUNID.log): removes those last written
/// more than `days` ago, then the oldest until the rest fit in `maxSizeMB`. The log of a run in
/// `activeRunIds` (queued or running) is never removed, whatever its age or size. Run rows stay in the
/// run store; `hangar logs` of such a run then has no log to print. Throws nothing for a file that
/// vanished meanwhile; a file that cannot be removed is skipped (and counted as kept).
LogRetentionReport applyLogRetention(const std::filesystem::path& logsDir,
                                     const config::LogRetention& retention,
                                     std::chrono::system_clock::time_point now,
                                     const std::set<std::string>& activeRunIds);

}  // namespace hangar::agent
