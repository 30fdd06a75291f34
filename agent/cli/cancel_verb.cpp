#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <thread>

#include "agent/cli/cli.hpp"
#include "agent/cli/config_flag.hpp"
#include "agent/run_enqueue.hpp"

namespace hangar::agent::cli {
namespace {

// What `hangar cancel` parses.
struct CancelFlags {
  std::string configPath;
  std::string runId;
  int waitSeconds = 60;
};

int cancelRun(const CancelFlags& flags) {
  ServiceState state = openServiceState(flags.configPath);
  StoredRun run;
  try {
    run = requestCancel(state, flags.runId);
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitFailed;
  }
  // A running run: wait (bounded) for its slot to stop it, so the caller sees the outcome.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(flags.waitSeconds);
  while (!isFinal(run.record.status) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // polling the store, bounded
    if (auto stored = state.store->get(flags.runId)) run = *stored;
  }
  std::cout << "run " << flags.runId << ": " << runner::toString(run.record.status) << std::endl;
  if (run.record.status == runner::RunStatus::Canceled) return kExitSuccess;
  if (!isFinal(run.record.status)) {
    std::cerr << "error: the run has not stopped yet; the service cancels it when it next looks\n";
    return kExitFailed;
  }
  std::cerr << "error: the run ended before the cancel reached it\n";
  return kExitFailed;
}

}  // namespace

void addCancelVerb(CLI::App& app, VerbAction& action) {
  auto flags = std::make_shared<CancelFlags>();
  auto* verb = app.add_subcommand("cancel", "Cancel a queued or running run (like az acr task cancel-run)");
  addConfigFlag(*verb, flags->configPath);
  verb->add_option("run", flags->runId, "The run id")->required();
  verb->add_option("--wait-seconds", flags->waitSeconds, "How long to wait for a running run to stop")
      ->capture_default_str();
  verb->callback(
      [flags, &action] { action = [flags] { return runServiceVerb([&] { return cancelRun(*flags); }); }; });
}

}  // namespace hangar::agent::cli
