#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>
#include <memory>

#include "agent/cli/cli.hpp"
#include "agent/cli/config_flag.hpp"
#include "agent/service_clock.hpp"
#include "agent/timer_scheduler.hpp"

namespace hangar::agent::cli {
namespace {

// What `hangar task list|show` parse.
struct TaskFlags {
  std::string configPath;
  std::string name;
  std::string output = "text";
};

const char* kindName(config::TaskKind kind) {
  switch (kind) {
    case config::TaskKind::File:
      return "file";
    case config::TaskKind::Dockerfile:
      return "dockerfile";
    case config::TaskKind::Cmd:
      return "cmd";
  }
  return "file";
}

// Next firings include each timer's jitter as this host computes it (the service on this host fires then).
std::string nextFire(const config::TaskDefinition& task, TimePoint now, const TimerJitter& jitter) {
  std::optional<TimePoint> earliest;
  for (const auto& timer : task.timers)
    if (auto next = nextFiring(task.name, timer, now, jitter);
        next && (!earliest || next->firesAt < *earliest))
      earliest = next->firesAt;
  return task.enabled && earliest ? runner::formatTime(*earliest) : "-";
}

nlohmann::json taskJson(const config::TaskDefinition& task, TimePoint now, const TimerJitter& jitter) {
  nlohmann::json timers = nlohmann::json::array();
  for (const auto& timer : task.timers) {
    auto next = task.enabled ? nextFiring(task.name, timer, now, jitter) : std::nullopt;
    timers.push_back(
        {{"name", timer.name},
         {"schedule", timer.schedule.str()},
         {"jitter", timer.jitter},
         {"next", next ? nlohmann::json(runner::formatTime(next->firesAt)) : nlohmann::json()},
         {"occurrence", next ? nlohmann::json(runner::formatTime(next->occurrence)) : nlohmann::json()}});
  }
  nlohmann::json json = {{"name", task.name},       {"kind", kindName(task.kind)},
                         {"context", task.context}, {"registry", task.registry},
                         {"enabled", task.enabled}, {"timeout", task.timeout},
                         {"timers", timers}};
  if (task.kind == config::TaskKind::File) json["file"] = task.file;
  if (task.kind == config::TaskKind::Cmd) json["cmd"] = task.cmd;
  if (task.kind == config::TaskKind::Dockerfile) json["dockerfile"] = task.dockerfile;
  return json;
}

int listTasks(const TaskFlags& flags) {
  config::AgentConfig config = config::loadAgentConfig(
      flags.configPath.empty() ? config::defaultAgentConfigPath() : std::filesystem::path(flags.configPath));
  TimePoint now = makeServiceClock()();
  TimerJitter jitter = hostTimerJitter();
  if (flags.output == "json") {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& task : config.tasks) array.push_back(taskJson(task, now, jitter));
    std::cout << array.dump(2) << std::endl;
    return kExitSuccess;
  }
  std::cout << std::left << std::setw(24) << "NAME" << std::setw(12) << "KIND" << std::setw(9) << "ENABLED"
            << "NEXT TIMER FIRE\n";
  for (const auto& task : config.tasks)
    std::cout << std::setw(24) << task.name << std::setw(12) << kindName(task.kind) << std::setw(9)
              << (task.enabled ? "yes" : "no") << nextFire(task, now, jitter) << "\n";
  return kExitSuccess;
}

int showTask(const TaskFlags& flags) {
  config::AgentConfig config = config::loadAgentConfig(
      flags.configPath.empty() ? config::defaultAgentConfigPath() : std::filesystem::path(flags.configPath));
  const config::TaskDefinition* task = config.findTask(flags.name);
  if (task == nullptr) throw UsageError("task '" + flags.name + "' is not in the agent configuration");
  TimePoint now = makeServiceClock()();
  nlohmann::json json = taskJson(*task, now, hostTimerJitter());
  if (flags.output == "json") {
    std::cout << json.dump(2) << std::endl;
    return kExitSuccess;
  }
  for (const auto& [key, value] : json.items())
    if (key != "timers")
      std::cout << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
  std::cout << "timers:\n";
  for (const auto& timer : json["timers"]) {
    std::cout << "  " << timer["name"].get<std::string>() << " \"" << timer["schedule"].get<std::string>()
              << "\" next: " << (timer["next"].is_null() ? "-" : timer["next"].get<std::string>());
    if (timer["jitter"].get<int>() > 0 && !timer["next"].is_null())
      std::cout << " (occurrence " << timer["occurrence"].get<std::string>() << " + jitter, up to "
                << timer["jitter"].get<int>() << " s)";
    std::cout << "\n";
  }
  return kExitSuccess;
}

}  // namespace

void addTaskVerb(CLI::App& app, VerbAction& action) {
  auto flags = std::make_shared<TaskFlags>();
  auto* verb = app.add_subcommand("task", "The tasks of the agent configuration (like az acr task)");
  verb->require_subcommand(1);
  auto* list = verb->add_subcommand("list", "List the configured tasks with their next timer fire");
  addConfigFlag(*list, flags->configPath);
  list->add_option("--output,-o", flags->output, "text or json")->check(CLI::IsMember({"text", "json"}));
  list->callback(
      [flags, &action] { action = [flags] { return runServiceVerb([&] { return listTasks(*flags); }); }; });
  auto* show = verb->add_subcommand("show", "Show one task and its timers' next fire times");
  addConfigFlag(*show, flags->configPath);
  show->add_option("name", flags->name, "The task")->required();
  show->add_option("--output,-o", flags->output, "text or json")->check(CLI::IsMember({"text", "json"}));
  show->callback(
      [flags, &action] { action = [flags] { return runServiceVerb([&] { return showTask(*flags); }); }; });
  addTaskRunVerb(*verb, action);
}

}  // namespace hangar::agent::cli
