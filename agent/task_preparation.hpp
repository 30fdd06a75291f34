#pragma once

#include <filesystem>
#include <map>
#include <optional>
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
};

/// Reads the task file (or builds the --cmd task), the values file and --set pairs, and fills the
/// run variables. Throws UsageError naming the file or flag at fault.
PreparedTask prepareTask(const RunOnceOptions& options, const std::string& runId);

/// Parses --secret pairs: "NAME=VALUE", or "NAME=@FILE" whose content is the value (one trailing
/// newline removed, as `echo` leaves one). Throws UsageError for a missing name or '=', a name with
/// spaces, a repeated name or an unreadable file; the message never holds the value.
std::map<std::string, std::string> parseSecretFlags(const std::vector<std::string>& pairs);

/// The error a run ends with before its first step when task `secrets:` cannot be resolved: those
/// not given with --secret need Key Vault, which is not configured here. Nothing when all are given.
std::optional<std::string> unresolvedSecretsError(const config::Task& task,
                                                  const std::map<std::string, std::string>& given);

/// The runner's request for a loaded task, built the same way by run-once and the service: the
/// options' engine, registry, mirrors and timeout, and every value to mask, secret-volume contents included.
runner::RunRequest makeRunRequest(const RunOnceOptions& options, const PreparedTask& prepared,
                                  config::Task task, const std::string& runId,
                                  const std::filesystem::path& workRoot);

/// The registry's short name: "myreg" for "myreg.azurecr.io", the host for "127.0.0.1:5000".
std::string registryShortName(const std::string& registry);

}  // namespace hangar::agent
