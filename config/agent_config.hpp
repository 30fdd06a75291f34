#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/cron_expression.hpp"
#include "config/diagnostic.hpp"

namespace hangar::config {

/// An Azure managed identity; all fields empty means the system-assigned identity, else exactly one is set.
struct ManagedIdentityAuth {
  std::string clientId;
  std::string objectId;
  std::string resourceId;
};

/// An Entra ID service principal: tenant and client id plus exactly one of a secret (file or env) or a
/// certificate file.
struct ServicePrincipalAuth {
  std::string tenantId;
  std::string clientId;
  std::string clientSecretFile;
  std::string clientSecretEnv;
  std::string certificateFile;
};

/// How to log in to one registry: exactly one of username + password (file or env), a managed identity,
/// or a service principal. Secrets are never inline, only paths and environment variable names.
struct RegistryAuth {
  std::string username;
  std::string passwordFile;
  std::string passwordEnv;
  std::optional<ManagedIdentityAuth> managedIdentity;
  std::optional<ServicePrincipalAuth> servicePrincipal;
};

/// One entry of `registries:`.
struct RegistrySettings {
  std::string host;  // host[:port], no scheme
  bool insecure = false;
  std::optional<RegistryAuth> auth;
  SourcePosition position;
};

enum class EngineKind { Buildah, Docker };

/// `engine:`; `binary` defaults to the kind's name. storageDriver and isolation are buildah only and
/// empty when not set (the runner's defaults apply).
struct EngineSettings {
  EngineKind kind = EngineKind::Buildah;
  std::string binary = "buildah";
  std::string storageDriver;
  std::string isolation;
};

/// `logRetention:`; logs older than `days` or beyond `maxSizeMB` in total are removed, oldest first.
struct LogRetention {
  int days = 30;
  int maxSizeMB = 2048;
};

/// `queue.azure.auth:`: exactly one of a managed identity, a shared key or a SAS (file or env).
struct AzureQueueAuth {
  std::optional<ManagedIdentityAuth> managedIdentity;
  std::string sharedKeyFile;
  std::string sharedKeyEnv;
  std::string sasFile;
  std::string sasEnv;
};

/// `queue.azure:`, an Azure Storage queue with run state in blobs.
struct AzureQueueSettings {
  std::string endpoint;  // https://acct.queue.core.windows.net (http only on loopback, for Azurite)
  std::string name;
  AzureQueueAuth auth;
  std::string blobEndpoint;
  std::string container = "hangar";
  int visibilityTimeout = 300;
  int maxDequeueCount = 5;
};

enum class QueueKind { Spool, Azure };

/// `queue:`; a spool queue's path defaults to `<stateDir>/queue`.
struct QueueSettings {
  QueueKind kind = QueueKind::Spool;
  std::filesystem::path path;
  std::optional<AzureQueueSettings> azure;
};

/// `diskGuard:` (a Hangar extension): below `minFreeMB` free under the state directory or any of `paths`
/// (e.g. buildah's storage), the service claims no new runs until there is room again; 0 turns it off.
struct DiskGuardSettings {
  int minFreeMB = 1024;
  std::vector<std::filesystem::path> paths;
};

/// `metrics:`; `listen` is host:port of the /metrics and /healthz endpoint.
struct MetricsSettings {
  std::string listen;
};

/// One named cron schedule of a task (UTC).
struct TimerSettings {
  std::string name;
  CronExpression schedule;
  SourcePosition position;
  int jitter = 0;  // seconds: each firing is delayed by up to this much (stable per host and occurrence)
};

enum class TaskKind { File, Dockerfile, Cmd };
/// After downtime: one run for the missed period (`latest`, like systemd's Persistent=) or none.
enum class Catchup { Latest, None };
/// When a timer fires while the task's previous run is still going.
enum class Concurrency { Forbid, Allow, Replace };
enum class BaseImageTrigger { Runtime, All, Off };

/// `sourceTrigger:`; polls the git context every `interval` seconds.
struct SourceTrigger {
  bool commit = true;
  bool pullRequest = false;
  int interval = 60;
};

/// One entry of `tasks:`, like `az acr task create`: a task file, a quick build or one command.
struct TaskDefinition {
  std::string name;  // [a-z0-9-]+, unique
  TaskKind kind = TaskKind::File;
  std::string file;                     // kind File: relative to the context
  std::string dockerfile;               // kind Dockerfile
  std::vector<std::string> imageNames;  // kind Dockerfile
  bool noPush = false;                  // kind Dockerfile
  std::string cmd;                      // kind Cmd
  std::string context;                  // directory, git URL, or /dev/null (the default for cmd)
  std::string registry;
  std::map<std::string, std::string> values;  // like --set K=V
  std::string valuesFile;
  int timeout = 3600;  // seconds, 300..28800
  bool enabled = true;
  std::vector<TimerSettings> timers;
  Catchup catchup = Catchup::Latest;
  Concurrency concurrency = Concurrency::Forbid;
  BaseImageTrigger baseImageTrigger = BaseImageTrigger::Runtime;
  std::optional<SourceTrigger> sourceTrigger;  // absent: no source polling
  std::string queue;                           // fleet routing label, empty = default
  SourcePosition position;
};

/// `azure:` (a Hangar extension of agent-config.md): where the Azure services are; an empty field means
/// public Azure. Tests and sovereign clouds point them elsewhere.
struct AzureSettings {
  std::string imdsEndpoint;      // managed-identity tokens; default http://169.254.169.254
  std::string authorityHost;     // Entra ID; default https://login.microsoftonline.com
  std::string keyVaultEndpoint;  // replaces scheme://host of every Key Vault secret URL
};

/// One entry of `secrets:` (a Hangar extension): a task secret this agent serves itself instead of
/// Key Vault, matched by the task secret's `id` or by its Key Vault URL (`keyvault`, exactly one of the
/// two); the value is read at run time from `valueFile` (exact bytes, an owner-only regular file) or
/// `valueEnv` (exactly one of the two).
struct LocalSecretSettings {
  std::string id;
  std::string keyVault;
  std::string valueFile;
  std::string valueEnv;
  SourcePosition position;
};

/// One entry of `gitCredentials:` (a Hangar extension): credentials for git contexts whose URL has
/// `host` (host[:port]; without a port any port matches) or starts with `urlPrefix` (exactly one of the
/// two). Exactly one credential: username + passwordFile/passwordEnv, tokenFile/tokenEnv (username
/// optional), or sshKeyFile (+ optional sshPublicKeyFile, sshPassphraseFile/sshPassphraseEnv, and
/// sshHostKey: the server's host key fingerprint `SHA256:...`, checked instead of known_hosts). Paths
/// and variable names only; the secrets are read when a context is fetched.
struct GitCredentialSettings {
  std::string host;
  std::string urlPrefix;
  std::string username;
  std::string passwordFile;
  std::string passwordEnv;
  std::string tokenFile;
  std::string tokenEnv;
  std::string sshKeyFile;
  std::string sshPublicKeyFile;
  std::string sshPassphraseFile;
  std::string sshPassphraseEnv;
  std::string sshHostKey;  // "SHA256:<base64>" as ssh-keygen -lf prints it; empty = known_hosts
  SourcePosition position;
};

/// The service configuration, /etc/hangar/agent.yaml (spec agent-config.md), with defaults filled in.
struct AgentConfig {
  std::filesystem::path stateDir = "/var/lib/hangar";
  int slots = 2;
  int shutdownTimeout = 600;  // seconds
  LogRetention logRetention;
  EngineSettings engine;
  std::vector<RegistrySettings> registries;
  std::string dockerConfig;
  std::string caBundle;
  std::map<std::string, std::string> mirrors;  // host -> prefix
  QueueSettings queue;                         // path filled in from stateDir
  std::optional<MetricsSettings> metrics;      // absent = off
  DiskGuardSettings diskGuard;
  AzureSettings azure;
  std::vector<TaskDefinition> tasks;
  std::vector<LocalSecretSettings> secrets;           // agent-local sources of task secrets
  std::vector<GitCredentialSettings> gitCredentials;  // credentials for git contexts

  /// The task named `name`, or null.
  const TaskDefinition* findTask(std::string_view name) const;
  /// The settings of registry `host`, or null.
  const RegistrySettings* findRegistry(std::string_view host) const;
};

/// Parses the text of an agent configuration. Every problem is added to `diagnostics` as
/// FILE:LINE:COL; returns nothing when there is any error.
std::optional<AgentConfig> parseAgentConfig(std::string_view text, const std::string& fileName,
                                            Diagnostics& diagnostics);

/// Reads and parses `file`; throws TaskError with every diagnostic (or the read error).
AgentConfig loadAgentConfig(const std::filesystem::path& file);

/// `$HANGAR_CONFIG` when set and not empty, else /etc/hangar/agent.yaml.
std::filesystem::path defaultAgentConfigPath();

}  // namespace hangar::config
