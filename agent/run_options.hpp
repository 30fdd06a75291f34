#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/agent_config.hpp"
#include "registry/azure_identity.hpp"
#include "runner/task_run.hpp"

namespace hangar::agent {

/// What the user asked `hangar run-once` (and `build`, `render`) for, as given on the command line.
struct RunOnceOptions {
  std::string taskFile = "acb.yaml";      // -f: resolved against the context first, then the cwd
  std::optional<std::string> command;     // --cmd: a one-step task instead of a file
  std::optional<std::string> taskText;    // an in-memory task (quick builds); wins over both
  std::string context;                    // a directory or /dev/null
  std::string registry;                   // --registry: $Registry
  std::string taskName;                   // the configured task run ({{.Run.TaskName}}); empty = quick run
  std::vector<std::string> sets;          // --set K=V
  std::vector<std::string> secretSets;    // --set-secret K=V: values that count as secret
  std::vector<std::string> secrets;       // --secret NAME=VALUE | NAME=@FILE: .Secrets.NAME, masked
  std::optional<std::string> valuesFile;  // --values
  std::map<std::string, std::string> mirrors;  // --mirror HOST=PREFIX
  std::optional<std::string> authFile;         // --authfile: docker config.json with credentials
  runner::EngineSettings engine;
  int timeoutSeconds = 3600;  // --timeout
  bool jsonOutput = false;    // --output json
  std::optional<std::filesystem::path> stateDir;
  /// Where task `secrets:` resolve from (Key Vault with a managed identity); none = they are not
  /// resolved (validate, render), so only --secret values fill .Secrets.
  std::optional<registry::AzureEndpoints> azure;
  /// agent.yaml `secrets:`: task secrets served from local files or variables (before Key Vault).
  std::vector<config::LocalSecretSettings> localSecrets;
  /// agent.yaml `gitCredentials:`: credentials for git contexts (before the HANGAR_GIT_* environment).
  std::vector<config::GitCredentialSettings> gitCredentials;
  /// agent.yaml `registries:`: logins for the run's auth file (before the docker config) and insecure hosts.
  std::vector<config::RegistrySettings> registries;
};

}  // namespace hangar::agent
