#include "agent/local_secrets.hpp"

#include <stdexcept>

#include "agent/azure_endpoints.hpp"
#include "agent/task_preparation.hpp"
#include "runner/secret_source.hpp"

namespace hangar::agent {
namespace {

std::string withoutTrailingSlash(std::string url) {
  while (url.ends_with('/')) url.pop_back();
  return url;
}

const config::LocalSecretSettings* findSource(const config::SecretSpec& spec,
                                              const std::vector<config::LocalSecretSettings>& local) {
  for (const auto& entry : local)
    if (!entry.id.empty() && entry.id == spec.id) return &entry;
  if (spec.keyVault.empty()) return nullptr;
  for (const auto& entry : local)
    if (!entry.keyVault.empty() &&
        withoutTrailingSlash(entry.keyVault) == withoutTrailingSlash(spec.keyVault))
      return &entry;
  return nullptr;
}

}  // namespace

std::map<std::string, std::string> resolveLocalSecrets(
    const std::vector<config::SecretSpec>& specs, const std::vector<config::LocalSecretSettings>& local) {
  std::map<std::string, std::string> values;
  for (const auto& spec : specs) {
    const config::LocalSecretSettings* source = findSource(spec, local);
    if (source == nullptr) continue;
    try {
      values[spec.id] = source->valueFile.empty() ? runner::readSecretEnv(source->valueEnv)
                                                  : runner::readSecretFile(source->valueFile);
    } catch (const std::exception& error) {
      throw SecretResolutionError("failed to resolve secrets: secret '" + spec.id +
                                  "' from the agent configuration (" + source->position.file + ":" +
                                  std::to_string(source->position.line) + "): " + error.what());
    }
  }
  return values;
}

void applyAgentCredentials(const config::AgentConfig& config, RunOnceOptions& options) {
  options.localSecrets = config.secrets;
  options.gitCredentials = config.gitCredentials;
  options.registries = config.registries;
  options.azure = azureEndpoints(config.azure);
}

}  // namespace hangar::agent
