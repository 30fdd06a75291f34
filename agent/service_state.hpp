#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "agent/run_store.hpp"
#include "agent/spool_queue.hpp"
#include "agent/state_dir.hpp"
#include "config/agent_config.hpp"

namespace hangar::agent {

/// Where the service keeps each piece of its state under the configured state directory.
struct ServicePaths {
  std::filesystem::path stateDir;

  std::filesystem::path storeFile() const { return stateDir / "runs.db"; }
  std::filesystem::path logsDir() const { return stateDir / "logs"; }
  /// The run's log, written as it is produced.
  std::filesystem::path logFile(const std::string& runId) const { return logsDir() / (runId + ".log"); }
  /// A cancel request for a running run: its existence asks the slot running it to stop.
  std::filesystem::path cancelFile(const std::string& runId) const { return stateDir / "cancel" / runId; }
  std::filesystem::path workRoot() const { return stateDir / "runs"; }
  /// Where a remote (git, tarball) context of the run is fetched; removed when the run ends.
  std::filesystem::path fetchedContext(const std::string& runId) const {
    return fetchedContextDir(stateDir, runId);
  }
};

/// What the CLI verbs and the service open from one configuration: paths, the run store, the queue.
struct ServiceState {
  config::AgentConfig config;
  ServicePaths paths;
  std::unique_ptr<RunStore> store;
  std::unique_ptr<SpoolQueue> queue;
};

/// Opens the store and the spool of `config` (creating them). Throws std::runtime_error (with the
/// path) when they cannot be opened, UsageError when the queue kind is not supported here.
ServiceState openServiceState(config::AgentConfig config);

/// Loads the configuration at `configPath` (empty: defaultAgentConfigPath()) and opens its state.
ServiceState openServiceState(const std::filesystem::path& configPath);

/// This machine's host name (the `agent` field of stored runs).
std::string agentHostName();

/// True for Succeeded, Failed, Canceled, Error and Timeout.
bool isFinal(runner::RunStatus status);

}  // namespace hangar::agent
