#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>
#include <memory>

#include "agent/cli/cli.hpp"
#include "agent/cli/config_flag.hpp"
#include "agent/service_state.hpp"

namespace hangar::agent::cli {
namespace {

// What `hangar runs` parses.
struct RunsFlags {
  std::string configPath;
  std::string status;
  std::string task;
  std::size_t top = 20;
  std::string output = "text";
};

std::string timeOrDash(const std::optional<TimePoint>& time) {
  return time ? runner::formatTime(*time) : "-";
}

int listRuns(const RunsFlags& flags) {
  RunQuery query;
  if (!flags.status.empty()) {
    query.status = runner::parseRunStatus(flags.status);
    if (!query.status) throw UsageError("--status: unknown run status '" + flags.status + "'");
  }
  if (!flags.task.empty()) query.task = flags.task;
  query.top = flags.top;
  ServiceState state = openServiceState(flags.configPath);
  std::vector<StoredRun> runs = state.store->list(query);
  if (flags.output == "json") {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& run : runs) array.push_back(run.toJson());
    std::cout << array.dump(2) << std::endl;
    return kExitSuccess;
  }
  std::cout << std::left << std::setw(12) << "RUN ID" << std::setw(20) << "TASK" << std::setw(10) << "TRIGGER"
            << std::setw(11) << "STATUS" << std::setw(26) << "STARTED"
            << "FINISHED\n";
  for (const auto& run : runs)
    std::cout << std::setw(12) << run.record.id << std::setw(20) << run.task.value_or("-") << std::setw(10)
              << run.trigger << std::setw(11) << runner::toString(run.record.status) << std::setw(26)
              << timeOrDash(run.record.startTime) << timeOrDash(run.record.finishTime) << "\n";
  return kExitSuccess;
}

}  // namespace

void addRunsVerb(CLI::App& app, VerbAction& action) {
  auto flags = std::make_shared<RunsFlags>();
  auto* verb = app.add_subcommand("runs", "List recent runs from the run store (like az acr task list-runs)");
  addConfigFlag(*verb, flags->configPath);
  verb->add_option("--status", flags->status, "Only runs in this status (Queued, Running, Succeeded, ...)");
  verb->add_option("--task", flags->task, "Only runs of this task");
  verb->add_option("--top", flags->top, "At most this many, newest first")->capture_default_str();
  verb->add_option("--output,-o", flags->output, "text, or json (an array of run records)")
      ->check(CLI::IsMember({"text", "json"}));
  verb->callback(
      [flags, &action] { action = [flags] { return runServiceVerb([&] { return listRuns(*flags); }); }; });
}

}  // namespace hangar::agent::cli
