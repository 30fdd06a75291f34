#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/run_options.hpp"
#include "config/task_loader.hpp"

namespace hangar::agent {

/// A task ready to load: its text and file name, its context, and what its templates see.
struct PreparedTask {
  config::LoadOptions load;
  std::filesystem::path contextDir;       // empty for /dev/null
  std::vector<std::string> secretValues;  // values to mask everywhere (--set-secret, --secret)
  std::vector<std::string> warnings;      // e.g. a --set that could not override a map
  /// Values loadTask resolved from Key Vault through load.resolveSecrets (masked like secretValues).
  std::shared_ptr<std::vector<std::string>> resolvedSecretValues =
      std::make_shared<std::vector<std::string>>();
};

/// Task `secrets:` could not be resolved from Key Vault; the message names the secret id and its vault
/// ("failed to resolve secrets: secret 'ID' in Key Vault HOST: REASON"), never a value or token.
class SecretResolutionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reads the task file (or builds the --cmd task), the values file and --set pairs, and fills the
/// run variables. With options.azure, installs the Key Vault seam: loadTask then resolves each task
/// secret not given with --secret (throwing SecretResolutionError when one fails). Throws UsageError
/// naming the file or flag at fault.
PreparedTask prepareTask(const RunOnceOptions& options, const std::string& runId);

/// Parses --secret pairs: "NAME=VALUE", or "NAME=@FILE" whose content is the value (one trailing
/// newline removed, as `echo` leaves one). Throws UsageError for a missing name or '=', a name with
/// spaces, a repeated name or an unreadable file; the message never holds the value.
std::map<std::string, std::string> parseSecretFlags(const std::vector<std::string>& pairs);

/// The error a run ends with before its first step when task `secrets:` were not resolved (no
/// options.azure): those not given with --secret need Key Vault. Nothing when all are given.
std::optional<std::string> unresolvedSecretsError(const config::Task& task,
                                                  const std::map<std::string, std::string>& given);

/// The runner's request for a loaded task, built the same way by run-once and the service: the
/// options' engine, registry, mirrors and timeout, and every value to mask, Key Vault values and
/// secret-volume contents included.
runner::RunRequest makeRunRequest(const RunOnceOptions& options, const PreparedTask& prepared,
                                  config::Task task, const std::string& runId,
                                  const std::filesystem::path& workRoot);

/// The registry's short name: "myreg" for "myreg.azurecr.io", the host for "127.0.0.1:5000".
std::string registryShortName(const std::string& registry);

}  // namespace hangar::agent
