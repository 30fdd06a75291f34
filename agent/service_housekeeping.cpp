#include "agent/service_housekeeping.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <set>

#include "agent/log_retention.hpp"

namespace hangar::agent {

std::vector<std::filesystem::path> diskGuardPaths(const config::AgentConfig& config) {
  std::vector<std::filesystem::path> paths{config.stateDir};
  if (!config.queue.path.empty() && config.queue.path.parent_path() != config.stateDir)
    paths.push_back(config.queue.path);
  for (const auto& path : config.diskGuard.paths) paths.push_back(path);
  return paths;
}

std::string applyRetentionOnce(ServiceState& state, const config::AgentConfig& config) {
  std::set<std::string> active;
  for (auto status : {runner::RunStatus::Queued, runner::RunStatus::Started, runner::RunStatus::Running})
    for (const auto& run : state.store->runsInState(status)) active.insert(run.record.id);
  LogRetentionReport report =
      applyLogRetention(state.paths.logsDir(), config.logRetention, std::chrono::system_clock::now(), active);
  if (report.removedForAge + report.removedForSize == 0) return "";
  return "log retention: removed " + std::to_string(report.removedForAge) + " logs older than " +
         std::to_string(config.logRetention.days) + " days and " + std::to_string(report.removedForSize) +
         " over " + std::to_string(config.logRetention.maxSizeMB) + " MB (" +
         std::to_string(report.bytesRemoved / (1024 * 1024)) + " MiB freed, " +
         std::to_string(report.bytesKept / (1024 * 1024)) + " MiB kept); their runs stay in the store";
}

void housekeepingLoop(ServiceState& state,
                      const std::function<std::shared_ptr<const config::AgentConfig>()>& config,
                      DiskGuard& guard, std::stop_token stop, std::chrono::milliseconds guardInterval,
                      std::chrono::milliseconds retentionInterval) {
  std::mutex mutex;
  std::condition_variable_any wake;
  auto nextRetention = std::chrono::steady_clock::now();
  std::optional<std::string> blocked = guard.blocked();
  while (!stop.stop_requested()) {
    auto current = config();
    guard.configure(diskGuardPaths(*current),
                    static_cast<std::uintmax_t>(current->diskGuard.minFreeMB) * 1024 * 1024);
    auto now = guard.check();
    if (now && !blocked)
      spdlog::error("disk guard: no new runs are claimed: {}", *now);
    else if (!now && blocked)
      spdlog::info("disk guard: there is room again; claiming resumes");
    blocked = now;
    if (std::chrono::steady_clock::now() >= nextRetention) {
      try {
        if (auto line = applyRetentionOnce(state, *current); !line.empty()) spdlog::info("{}", line);
      } catch (const std::exception& e) {
        spdlog::error("log retention: {}", e.what());
      }
      nextRetention = std::chrono::steady_clock::now() + retentionInterval;
    }
    std::unique_lock lock(mutex);
    wake.wait_for(lock, stop, guardInterval, [] { return false; });
  }
}

}  // namespace hangar::agent
