#include <CLI/CLI.hpp>
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

int printLogs(const LogsFlags& flags) {
  ServiceState state = openServiceState(flags.configPath);
  if (!state.store->get(flags.runId)) {
    std::cerr << "error: no run '" << flags.runId << "' in the run store " << state.store->file().string()
              << "\n";
    return kExitFailed;
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
