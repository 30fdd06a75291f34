#pragma once

#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>
#include <vector>

#include "agent/service_state.hpp"
#include "runner/process_launcher.hpp"

namespace hangar::agent {

/// What one pass of pruneForSpace() removed, and why the engine was or was not pruned.
struct PruneReport {
  std::size_t runDirectories = 0;          // <stateDir>/runs/ID removed
  std::size_t fetchedContexts = 0;         // <stateDir>/contexts/ID removed
  std::uintmax_t bytes = 0;                // what those held
  std::vector<std::string> engineCommand;  // the engine prune run; empty when it was not run
  std::string engineOutcome;               // "ok", the failure, or why it was skipped
  std::vector<std::string> errors;         // what could not be removed, and why

  /// One line for the service log: "removed 2 run directories and 1 fetched context of ended runs
  /// (340 MiB); buildah --storage-driver vfs rmi --prune: ok".
  std::string describe() const;
};

/// The engine command that removes dangling images (no tag, no container using them): `buildah
/// [--storage-driver D] rmi --prune`, or `docker image prune --force`.
std::vector<std::string> enginePruneCommand(const config::EngineSettings& engine);

/// Frees what Hangar itself left behind and can safely remove, for the disk guard: the run directories
/// (`<stateDir>/runs/ID`) and fetched contexts (`<stateDir>/contexts/ID`) of runs the store holds as
/// ended, and of ids the store does not hold that nothing changed for `orphanAge`; a queued or running
/// run's directories are never touched. Then, only when `engineIdle` (no run of this service going) and
/// the store has no run Started or Running (a `run-once` on the same state directory), the engine's
/// dangling images (enginePruneCommand, at most `engineTimeout`, killed when `stop` is requested: the
/// service is stopping). Throws nothing: failures are in the report.
PruneReport pruneForSpace(const ServicePaths& paths, RunStore& store, const config::EngineSettings& engine,
                          bool engineIdle, runner::ProcessLauncher& launcher,
                          std::chrono::seconds orphanAge = std::chrono::hours(24),
                          std::chrono::seconds engineTimeout = std::chrono::minutes(10),
                          std::stop_token stop = {});

}  // namespace hangar::agent
