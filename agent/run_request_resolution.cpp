#include "agent/run_request_resolution.hpp"

#include "agent/azure_endpoints.hpp"
#include "agent/local_secrets.hpp"
#include "agent/quick_build.hpp"
#include "agent/usage_error.hpp"

namespace hangar::agent {

RunOnceOptions resolveRunOptions(const config::AgentConfig& config, const RunRequestMessage& message) {
  RunOnceOptions options;
  if (message.task) {
    const config::TaskDefinition* task = config.findTask(*message.task);
    if (task == nullptr) throw UsageError("task '" + *message.task + "' is not in the agent configuration");
    if (!task->enabled) throw UsageError("task '" + *message.task + "' is disabled");
    options.context = task->context.empty() ? "/dev/null" : task->context;
    options.registry = task->registry;
    options.taskName = task->name;
    options.timeoutSeconds = task->timeout;
    for (const auto& [key, value] : task->values) options.sets.push_back(key + "=" + value);
    if (!task->valuesFile.empty()) options.valuesFile = task->valuesFile;
    switch (task->kind) {
      case config::TaskKind::File:
        options.taskFile = task->file;
        break;
      case config::TaskKind::Cmd:
        options.command = task->cmd;
        break;
      case config::TaskKind::Dockerfile: {
        QuickBuild build;
        build.tags = task->imageNames;
        build.dockerfile = task->dockerfile;
        build.push = !task->noPush;
        build.registry = task->registry;
        options.taskText = quickBuildTaskText(build);
        options.taskFile = "task " + task->name;
        break;
      }
    }
  } else {
    options.taskFile = message.taskFile;
    options.context = message.context.empty() ? "/dev/null" : message.context;
  }
  if (!message.registry.empty()) options.registry = message.registry;
  options.sets.insert(options.sets.end(), message.sets.begin(), message.sets.end());

  options.engine.kind = config.engine.kind == config::EngineKind::Docker ? "docker" : "buildah";
  options.engine.binary = config.engine.binary;
  if (!config.engine.storageDriver.empty()) options.engine.storageDriver = config.engine.storageDriver;
  if (!config.engine.isolation.empty()) options.engine.isolation = config.engine.isolation;
  options.mirrors = config.mirrors;
  if (!config.dockerConfig.empty()) options.authFile = config.dockerConfig;
  options.stateDir = config.stateDir;
  applyAgentCredentials(config, options);  // task secrets (local, then Key Vault), git credentials
  return options;
}

}  // namespace hangar::agent
