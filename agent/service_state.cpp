#include "agent/service_state.hpp"

#include <unistd.h>

#include "agent/usage_error.hpp"

namespace hangar::agent {

ServiceState openServiceState(config::AgentConfig config) {
  if (config.queue.kind != config::QueueKind::Spool)
    throw UsageError("queue kind azure is not supported yet; use the spool queue");
  ServiceState state;
  state.paths.stateDir = config.stateDir;
  std::filesystem::create_directories(state.paths.logsDir());
  std::filesystem::create_directories(state.paths.stateDir / "cancel");
  state.store = std::make_unique<RunStore>(state.paths.storeFile());
  std::filesystem::path spool = config.queue.path.empty() ? config.stateDir / "queue" : config.queue.path;
  state.queue = std::make_unique<SpoolQueue>(spool);
  state.config = std::move(config);
  return state;
}

ServiceState openServiceState(const std::filesystem::path& configPath) {
  return openServiceState(
      config::loadAgentConfig(configPath.empty() ? config::defaultAgentConfigPath() : configPath));
}

std::string agentHostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

bool isFinal(runner::RunStatus status) {
  using runner::RunStatus;
  return status == RunStatus::Succeeded || status == RunStatus::Failed || status == RunStatus::Canceled ||
         status == RunStatus::Error || status == RunStatus::Timeout;
}

}  // namespace hangar::agent
