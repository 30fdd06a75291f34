#include "agent/task_preparation.hpp"

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "agent/local_secrets.hpp"
#include "agent/purge_command.hpp"
#include "agent/state_dir.hpp"
#include "agent/usage_error.hpp"
#include "config/values.hpp"
#include "registry/azure_key_vault.hpp"
#include "runner/context_fetch.hpp"
#include "runner/git_credential_rules.hpp"
#include "runner/secret_volumes.hpp"

namespace hangar::agent {
namespace fs = std::filesystem;
namespace {

// Reads at most 16 MiB, so a huge file, /dev/zero or an endless pipe is refused instead of taking memory.
// Opened non-blocking (then read blocking), so a named pipe that no one writes to reads as empty instead of
// hanging the open.
std::string readFile(const fs::path& path, const std::string& what) {
  constexpr std::size_t kMaxBytes = std::size_t(16) << 20;
  const auto cannotRead = [&](int error) {
    return UsageError("cannot read " + what + " '" + path.string() + "': " + std::strerror(error));
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw cannotRead(errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) throw cannotRead(errno);
  std::string text;
  std::vector<char> buffer(std::size_t(1) << 16);
  for (;;) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw cannotRead(errno);
    if (got == 0) return text;
    text.append(buffer.data(), static_cast<std::size_t>(got));
    if (text.size() > kMaxBytes)
      throw UsageError(what + " '" + path.string() + "' is larger than " + std::to_string(kMaxBytes >> 20) +
                       " MiB");
  }
}

// --- remote contexts (git, tarballs; issue 4): fetched under <stateDir>/contexts/<runId> ---
// Credentials: agent.yaml's gitCredentials entry for the URL, else the HANGAR_GIT_* environment; the
// password or token read goes to `secretValues` (masked).
std::optional<runner::FetchedContext> fetchRemoteContext(const RunOnceOptions& options,
                                                         const std::string& runId,
                                                         std::vector<std::string>& secretValues) {
  if (!runner::isRemoteContext(options.context)) return std::nullopt;
  fs::path stateDir = options.stateDir ? *options.stateDir : defaultStateDir();
  runner::ContextFetchOptions fetch;
  fetch.mirrorRoot = stateDir / "git-mirrors";
  fetch.log = [](const std::string& line) { std::cerr << line << "\n"; };
  try {
    runner::ContextUrl url = runner::parseContextUrl(options.context);
    std::optional<runner::GitCredentials> configured =
        runner::gitCredentialsFor(options.gitCredentials, url.url);
    fetch.credentials = configured ? std::move(*configured) : runner::gitCredentialsFromEnvironment();
    if (fetch.credentials.password && !fetch.credentials.password->empty())
      secretValues.push_back(*fetch.credentials.password);
    if (!fetch.credentials.sshPassphrase.empty()) secretValues.push_back(fetch.credentials.sshPassphrase);
    return runner::fetchContext(url, fetchedContextDir(stateDir, runId), fetch);
  } catch (const std::exception& error) {  // a malformed URL, a git, download or archive error
    throw UsageError(std::string("context: ") + error.what());
  }
}

// -f is looked up in the context first, then relative to the working directory (like az acr run).
fs::path resolveInContext(const std::string& file, const fs::path& contextDir) {
  fs::path path(file);
  if (path.is_absolute()) return path;
  if (!contextDir.empty() && fs::exists(contextDir / path)) return contextDir / path;
  return path;
}

std::string utcRunDate() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%d-%H%M%Sz", &utc);
  return buffer;
}

std::string goArchitecture() {
  utsname name{};
  if (uname(&name) != 0) return "amd64";
  std::string machine = name.machine;
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64") return "arm64";
  if (machine.rfind("arm", 0) == 0) return "arm";
  if (machine == "i686" || machine == "i386") return "386";
  return machine;
}

std::string secretValueOf(const std::string& pair) {
  auto equals = pair.find('=');
  return equals == std::string::npos ? std::string() : pair.substr(equals + 1);
}

// "myvault.vault.azure.net" for "https://myvault.vault.azure.net/secrets/x".
std::string vaultHost(const std::string& url) {
  auto scheme = url.find("://");
  std::string rest = scheme == std::string::npos ? url : url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  return rest.substr(rest.find('@') == std::string::npos ? 0 : rest.find('@') + 1);
}

// resolveKeyVaultSecrets says "... secret '<id>': <reason>"; the message gets the secret's vault.
std::string withVault(std::string message, const std::vector<config::SecretSpec>& specs) {
  for (const auto& spec : specs) {
    const std::string named = "secret '" + spec.id + "':";
    if (auto at = message.find(named); at != std::string::npos) {
      message.replace(at, named.size(),
                      "secret '" + spec.id + "' in Key Vault " + vaultHost(spec.keyVault) + ":");
      return message;
    }
  }
  return message;
}

// The seam of config::LoadOptions: task secrets not given with --secret come from Key Vault.
// Precedence: --secret, then agent.yaml `secrets:` (local files and variables; Key Vault is not asked
// for those), then Key Vault when `endpoints` are set.
std::function<std::map<std::string, std::string>(const std::vector<config::SecretSpec>&)> keyVaultResolver(
    std::map<std::string, std::string> given, std::vector<config::LocalSecretSettings> local,
    std::optional<registry::AzureEndpoints> endpoints, std::shared_ptr<std::vector<std::string>> resolved) {
  return [given = std::move(given), local = std::move(local), endpoints = std::move(endpoints),
          resolved = std::move(resolved)](const std::vector<config::SecretSpec>& specs) {
    std::vector<config::SecretSpec> notGiven;
    for (const auto& spec : specs)
      if (!given.contains(spec.id)) notGiven.push_back(spec);
    std::map<std::string, std::string> values = resolveLocalSecrets(notGiven, local);
    std::vector<config::SecretSpec> missing;
    for (const auto& spec : notGiven)
      if (!values.contains(spec.id)) missing.push_back(spec);
    if (!missing.empty() && endpoints) {
      try {
        values.merge(registry::resolveKeyVaultSecrets(missing, *endpoints));
      } catch (const std::exception& error) {
        throw SecretResolutionError(withVault(error.what(), missing));
      }
    }
    for (const auto& [id, value] : values)
      if (!value.empty()) resolved->push_back(value);
    return values;
  };
}

}  // namespace

std::map<std::string, std::string> parseSecretFlags(const std::vector<std::string>& pairs) {
  std::map<std::string, std::string> secrets;
  for (const auto& pair : pairs) {
    const auto equals = pair.find('=');
    const std::string name = pair.substr(0, equals);
    if (equals == std::string::npos || name.empty()) {
      throw UsageError("--secret: expected NAME=VALUE or NAME=@FILE, got a value without a name");
    }
    if (name.find_first_of(" \t\n") != std::string::npos) {
      throw UsageError("--secret: the name '" + name + "' holds white space");
    }
    std::string value = pair.substr(equals + 1);
    if (value.starts_with('@')) {
      value = readFile(value.substr(1), "secret file for --secret " + name);
      if (value.ends_with('\n')) value.pop_back();
      if (value.ends_with('\r')) value.pop_back();
    }
    if (!secrets.emplace(name, std::move(value)).second) {
      throw UsageError("--secret: '" + name + "' is given more than once");
    }
  }
  return secrets;
}

std::optional<std::string> unresolvedSecretsError(const config::Task& task,
                                                  const std::map<std::string, std::string>& given) {
  std::string missing;
  for (const auto& secret : task.secrets) {
    if (!given.contains(secret.id)) missing += (missing.empty() ? "" : ", ") + secret.id;
  }
  if (missing.empty()) return std::nullopt;
  return "failed to resolve secrets: Key Vault access is not configured (secrets: " + missing +
         "; give them with --secret NAME=VALUE to run locally)";
}

runner::RunRequest makeRunRequest(const RunOnceOptions& options, const PreparedTask& prepared,
                                  config::Task task, const std::string& runId, const fs::path& workRoot) {
  runner::RunRequest request;
  request.secretValues = prepared.secretValues;
  for (const auto& value : *prepared.resolvedSecretValues) request.secretValues.push_back(value);
  for (auto& value : runner::secretVolumeValues(task)) request.secretValues.push_back(std::move(value));
  request.task = std::move(task);
  request.runId = runId;
  request.contextDir = prepared.contextDir;
  request.registry = options.registry;
  request.taskName = options.taskName;
  request.engine = options.engine;
  request.workRoot = workRoot;
  if (options.authFile) request.dockerConfig = fs::path(*options.authFile);
  request.mirrors = options.mirrors;
  request.timeoutSeconds = options.timeoutSeconds;
  // `cmd: acr purge ...` runs natively with the run's registry and credentials (no acr-cli container).
  request.inProcessCommand = [registry = options.registry](
                                 const std::string& image, const std::vector<std::string>& args,
                                 const std::string& stepId, runner::LogSink& log, const fs::path& authFile) {
    return runAcrCliStep(image, args, stepId, log, registry, authFile);
  };
  return request;
}

std::string registryShortName(const std::string& registry) { return registry.substr(0, registry.find('.')); }

PreparedTask prepareTask(const RunOnceOptions& options, const std::string& runId) {
  PreparedTask prepared;
  if (options.context.empty()) throw UsageError("a context is required: a directory, or /dev/null for none");
  std::optional<runner::FetchedContext> remote = fetchRemoteContext(options, runId, prepared.secretValues);
  if (remote) {
    prepared.contextDir = remote->contextDir;
  } else if (options.context != "/dev/null") {
    if (!fs::is_directory(options.context))
      throw UsageError("context '" + options.context + "' is not a directory (use /dev/null for none)");
    prepared.contextDir = fs::absolute(options.context);
  }

  config::LoadOptions& load = prepared.load;
  load.contextDir = prepared.contextDir;
  if (options.taskText) {
    load.fileName = options.taskFile;
    load.text = *options.taskText;
  } else if (options.command) {
    load.fileName = "--cmd";
    load.text = config::commandTaskText(*options.command, options.timeoutSeconds);
  } else {
    fs::path file = resolveInContext(options.taskFile, prepared.contextDir);
    load.fileName = file.string();
    load.text = readFile(file, "task file");
  }

  nlohmann::json values = nlohmann::json::object();
  if (options.valuesFile) {
    fs::path file = resolveInContext(*options.valuesFile, prepared.contextDir);
    values = config::parseValuesYaml(readFile(file, "values file"), file.string());
  }
  // --set values stay strings, as in ACR: acb marshals them to YAML, which quotes "5" and "true".
  std::vector<std::string> warnings;
  values = config::mergeValues(values, config::parseSetValues(options.sets), warnings);
  values = config::mergeValues(values, config::parseSetValues(options.secretSets), warnings);
  prepared.warnings = std::move(warnings);
  for (const auto& pair : options.secretSets)
    if (auto value = secretValueOf(pair); !value.empty()) prepared.secretValues.push_back(value);

  load.data.secrets = parseSecretFlags(options.secrets);
  for (const auto& [name, value] : load.data.secrets)
    if (!value.empty()) prepared.secretValues.push_back(value);
  if (options.azure || !options.localSecrets.empty())
    load.resolveSecrets = keyVaultResolver(load.data.secrets, options.localSecrets, options.azure,
                                           prepared.resolvedSecretValues);

  config::RunVariables& run = load.data.run;
  run.id = runId;
  run.sharedVolume = "hangar_vol_" + runId;
  run.registry = options.registry;
  run.taskName = options.taskName;
  run.registryName = registryShortName(options.registry);
  run.date = utcRunDate();
  run.architecture = goArchitecture();
  if (remote) {
    run.commit = remote->commit;
    run.branch = remote->branch;
    run.gitTag = remote->tag;
    run.repository = remote->repository;
    auto url = runner::parseContextUrl(options.context);
    if (url.password) prepared.secretValues.push_back(*url.password);
  }
  load.data.values = std::move(values);
  return prepared;
}

}  // namespace hangar::agent
