#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "agent/cli/cli.hpp"
#include "agent/cli/config_flag.hpp"
#include "agent/run_enqueue.hpp"

namespace hangar::agent::cli {
namespace {

// What `hangar logs` parses.
struct LogsFlags {
  std::string configPath;
  std::string runId;
  bool follow = false;
};

// Why an ended run has no log file: it never started (nothing was written), or log retention removed it.
std::string missingLogReason(const ServiceState& state, const StoredRun& run) {
  const auto& record = run.record;
  std::string what = "run '" + record.id + "' (" + runner::toString(record.status) + ")";
  if (!record.startTime)
    return what + " never started, so it has no log" + (record.error.empty() ? "" : ": " + record.error);
  const auto& retention = state.config.logRetention;
  return what + " has no log any more: " + state.paths.logFile(record.id).string() +
         " was removed by log retention (logRetention: days " + std::to_string(retention.days) +
         ", maxSizeMB " + std::to_string(retention.maxSizeMB) + "); the run's record is kept (hangar runs)";
}

int printLogs(const LogsFlags& flags) {
  ServiceState state = openServiceState(flags.configPath);
  auto run = state.store->get(flags.runId);
  if (!run) {
    std::cerr << "error: no run '" << flags.runId << "' in the run store " << state.store->file().string()
              << "\n";
    return kExitFailed;
  }
  if (isFinal(run->record.status) && !std::filesystem::exists(state.paths.logFile(flags.runId))) {
    std::cerr << "error: " << missingLogReason(state, *run) << "\n";
    return kExitFailed;
  }
  if (!flags.follow && !std::filesystem::exists(state.paths.logFile(flags.runId))) {
    std::cerr << "run '" << flags.runId << "' is " << runner::toString(run->record.status)
              << ": it has no log yet (--follow waits for it)\n";
    return kExitSuccess;
  }
  if (flags.follow) {
    followRun(state, flags.runId, std::cout);
    return kExitSuccess;
  }
  std::ifstream in(state.paths.logFile(flags.runId), std::ios::binary);
  if (in) std::cout << in.rdbuf();
  std::cout.flush();
  return kExitSuccess;
}

}  // namespace

void addLogsVerb(CLI::App& app, VerbAction& action) {
  auto flags = std::make_shared<LogsFlags>();
  auto* verb = app.add_subcommand(
      "logs", "Print a run's log, or follow a live run to its end (like az acr task logs)");
  addConfigFlag(*verb, flags->configPath);
  verb->add_option("run", flags->runId, "The run id")->required();
  verb->add_flag("--follow", flags->follow, "Keep printing until the run has ended");
  verb->callback(
      [flags, &action] { action = [flags] { return runServiceVerb([&] { return printLogs(*flags); }); }; });
}

}  // namespace hangar::agent::cli
