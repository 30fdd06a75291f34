#pragma once

#include <map>
#include <string>
#include <vector>

#include "agent/run_options.hpp"
#include "config/agent_config.hpp"
#include "config/task.hpp"

namespace hangar::agent {

/// The agent-local sources of `specs` (agent.yaml `secrets:`): for each task secret, the entry with
/// its `id`, else the entry with its Key Vault URL (compared exactly, a trailing '/' ignored), read
/// now from its valueFile (exact bytes, owner-only) or valueEnv. Secrets without an entry are left
/// out. Throws SecretResolutionError naming the secret id and the entry's file or variable, never a
/// value.
std::map<std::string, std::string> resolveLocalSecrets(const std::vector<config::SecretSpec>& specs,
                                                       const std::vector<config::LocalSecretSettings>& local);

/// Takes what a run needs from the agent configuration's credential sections: `secrets:`,
/// `gitCredentials:`, `registries:` and the `azure:` endpoints. Used by the service and by `run-once
/// --config`.
void applyAgentCredentials(const config::AgentConfig& config, RunOnceOptions& options);

}  // namespace hangar::agent
