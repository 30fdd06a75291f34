#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "agent/cli/cli.hpp"
#include "agent/cli/config_flag.hpp"
#include "agent/cli/repeatable.hpp"
#include "agent/exit_code.hpp"
#include "agent/run_enqueue.hpp"
#include "agent/usage_error.hpp"

namespace hangar::agent::cli {
namespace {

// What `hangar enqueue` and `hangar task run` parse.
struct EnqueueFlags {
  std::string configPath;
  std::string task;
  std::string file;
  std::string context;
  std::string registry;
  std::vector<std::string> sets;
  bool wait = false;
  std::string output = "text";
};

int enqueueAndReportOrThrow(const EnqueueFlags& flags, RunRequestMessage message);

int enqueueAndReport(const EnqueueFlags& flags, RunRequestMessage message) {
  return runServiceVerb([&] { return enqueueAndReportOrThrow(flags, std::move(message)); });
}

int enqueueAndReportOrThrow(const EnqueueFlags& flags, RunRequestMessage message) {
  ServiceState state = openServiceState(flags.configPath);
  if (message.task && !state.config.findTask(*message.task)) {
    std::cerr << "error: task '" << *message.task << "' is not in the agent configuration\n";
    return kExitUsage;
  }
  std::string runId = enqueueRun(state, std::move(message));
  if (!flags.wait) {
    std::cout << runId << std::endl;
    return kExitSuccess;
  }
  std::cerr << "run " << runId << " queued\n";
  bool json = flags.output == "json";
  StoredRun run = followRun(state, runId, json ? std::cerr : std::cout);
  if (json)
    std::cout << run.toJson().dump(2) << std::endl;
  else
    std::cout << "run " << runId << ": " << runner::toString(run.record.status) << std::endl;
  return run.record.status == runner::RunStatus::Succeeded ? kExitSuccess : kExitFailed;
}

void addWaitFlags(CLI::App& verb, EnqueueFlags& flags) {
  addConfigFlag(verb, flags.configPath);
  repeatable(verb.add_option("--set", flags.sets, "A template value (K=V), repeatable"));
  verb.add_option("--registry,-r", flags.registry, "The registry $Registry stands for");
  verb.add_flag("--wait", flags.wait, "Follow the run's log to its end and exit with its result");
  verb.add_option("--output,-o", flags.output, "With --wait: text, or json (the run record on stdout)")
      ->check(CLI::IsMember({"text", "json"}));
}

}  // namespace

void addEnqueueVerb(CLI::App& app, VerbAction& action) {
  auto flags = std::make_shared<EnqueueFlags>();
  auto* verb = app.add_subcommand("enqueue", "Put a run request on the agent's queue and print its run id");
  verb->add_option("--task", flags->task, "A task of the agent configuration");
  verb->add_option("-f,--file", flags->file, "An ad-hoc task file, relative to the context");
  verb->add_option("context", flags->context, "With -f: the context directory, or /dev/null");
  addWaitFlags(*verb, *flags);
  verb->callback([flags, &action] {
    if (flags->task.empty() == flags->file.empty())
      throw CLI::ValidationError("enqueue", "give either --task NAME or -f TASK.yaml CONTEXT");
    if (!flags->file.empty() && flags->context.empty())
      throw CLI::ValidationError("enqueue", "-f needs a CONTEXT (a directory, or /dev/null)");
    action = [flags] {
      RunRequestMessage message;
      message.trigger = "manual";
      message.registry = flags->registry;
      message.sets = flags->sets;
      if (!flags->task.empty()) {
        message.task = flags->task;
      } else {
        message.context = flags->context == "/dev/null" ? flags->context
                                                        : std::filesystem::absolute(flags->context).string();
        message.taskFile = flags->file;
        if (!std::filesystem::path(flags->file).is_absolute() &&
            !std::filesystem::exists(std::filesystem::path(message.context) / flags->file) &&
            std::filesystem::exists(flags->file))
          message.taskFile = std::filesystem::absolute(flags->file).string();
      }
      return enqueueAndReport(*flags, std::move(message));
    };
  });
}

void addTaskRunVerb(CLI::App& task, VerbAction& action) {
  auto flags = std::make_shared<EnqueueFlags>();
  auto* verb = task.add_subcommand("run", "Queue a run of a configured task now (like az acr task run)");
  verb->add_option("name", flags->task, "The task")->required();
  addWaitFlags(*verb, *flags);
  verb->callback([flags, &action] {
    action = [flags] {
      RunRequestMessage message;
      message.trigger = "manual";
      message.task = flags->task;
      message.registry = flags->registry;
      message.sets = flags->sets;
      return enqueueAndReport(*flags, std::move(message));
    };
  });
}

}  // namespace hangar::agent::cli
