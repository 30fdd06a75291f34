#include "config/agent_config.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/agent_config_sections.hpp"
#include "config/line_map.hpp"

namespace hangar::config {

using namespace agent_config_detail;

namespace agent_config_detail {

std::optional<int> integerInRange(YamlReader& reader, const YAML::Node& value, std::string_view key,
                                  const SourcePosition& keyPosition, int min, int max) {
  std::optional<int> number = reader.integer(value, key, keyPosition);
  if (!number) return std::nullopt;
  if (*number < min || *number > max) {
    reader.diagnostics().error(reader.position(value, keyPosition),
                               "'" + std::string(key) + "' must be from " + std::to_string(min) + " to " +
                                   std::to_string(max) + ", got " + std::to_string(*number));
    return std::nullopt;
  }
  return number;
}

std::optional<std::string> nonEmptyString(YamlReader& reader, const YAML::Node& value, std::string_view key,
                                          const SourcePosition& keyPosition) {
  if (value.IsNull()) {
    reader.diagnostics().error(keyPosition, "'" + std::string(key) + "' needs a value");
    return std::nullopt;
  }
  std::optional<std::string> text = reader.string(value, key, keyPosition);
  if (text && text->empty()) {
    reader.diagnostics().error(reader.position(value, keyPosition),
                               "'" + std::string(key) + "' must not be empty");
    return std::nullopt;
  }
  return text;
}

}  // namespace agent_config_detail

namespace {

constexpr std::array<std::string_view, 16> kTopKeys{
    "stateDir",     "slots",     "shutdownTimeout", "logRetention",  "engine",  "registries",
    "dockerConfig", "caBundle",  "mirrors",         "queue",         "metrics", "tasks",
    "azure",        "diskGuard", "secrets",         "gitCredentials"};
constexpr std::array<std::string_view, 2> kRetentionKeys{"days", "maxSizeMB"};
constexpr std::array<std::string_view, 4> kEngineKeys{"kind", "binary", "storageDriver", "isolation"};
constexpr std::array<std::string_view, 3> kQueueKeys{"kind", "path", "azure"};
constexpr std::array<std::string_view, 7> kAzureKeys{
    "endpoint", "name", "auth", "blobEndpoint", "container", "visibilityTimeout", "maxDequeueCount"};
constexpr std::array<std::string_view, 5> kAzureAuthKeys{"managedIdentity", "sharedKeyFile", "sharedKeyEnv",
                                                         "sasFile", "sasEnv"};
constexpr std::array<std::string_view, 1> kMetricsKeys{"listen"};
constexpr std::array<std::string_view, 2> kDiskGuardKeys{"minFreeMB", "paths"};
constexpr std::array<std::string_view, 3> kAzureEndpointKeys{"imdsEndpoint", "authorityHost",
                                                             "keyVaultEndpoint"};

bool isLoopbackHost(std::string_view host) {
  return host == "localhost" || host.starts_with("127.") || host == "[::1]" || host == "::1";
}

/// The host of an http(s) URL, or "" when `url` is not one.
std::string urlHost(std::string_view url, bool& https) {
  https = url.starts_with("https://");
  if (!https && !url.starts_with("http://")) return "";
  std::string_view rest = url.substr(https ? 8 : 7);
  rest = rest.substr(0, rest.find('/'));
  if (rest.starts_with("[")) return std::string(rest.substr(0, rest.find(']') + 1));
  return std::string(rest.substr(0, rest.find(':')));
}

/// A queue or blob endpoint: https, or http on loopback (Azurite).
std::optional<std::string> endpoint(YamlReader& reader, const YAML::Node& value, std::string_view key,
                                    const SourcePosition& keyPosition) {
  std::optional<std::string> url = nonEmptyString(reader, value, key, keyPosition);
  if (!url) return std::nullopt;
  bool https = false;
  const std::string host = urlHost(*url, https);
  if (host.empty() || (!https && !isLoopbackHost(host))) {
    reader.diagnostics().error(
        reader.position(value, keyPosition),
        "'" + std::string(key) + "' must be an https:// URL (http:// only on loopback), got '" + *url + "'");
    return std::nullopt;
  }
  return url;
}

/// host:port with a port from 1 to 65535; an IPv6 host is written in brackets.
bool validListenAddress(std::string_view address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view host = address.substr(0, colon);
  std::string_view port = address.substr(colon + 1);
  if (host.find(':') != std::string_view::npos && !(host.starts_with("[") && host.ends_with("]")))
    return false;
  int number = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
  return error == std::errc() && end == port.data() + port.size() && number >= 1 && number <= 65535;
}

class TopLevelReader {
 public:
  TopLevelReader(YamlReader& reader, AgentConfig& config) : r_(reader), config_(config) {}

  void read(const YAML::Node& root) {
    r_.forEachEntry(root, "the agent configuration", kTopKeys,
                    [&](const std::string& key, const SourcePosition& at, const YAML::Node& value) {
                      return entry(key, at, value);
                    });
    if (!queuePathSet_) config_.queue.path = config_.stateDir / "queue";
  }

 private:
  bool entry(const std::string& key, const SourcePosition& at, const YAML::Node& value) {
    if (key == "stateDir") {
      if (auto dir = nonEmptyString(r_, value, key, at)) {
        if (dir->front() != '/')
          r_.diagnostics().error(r_.position(value, at),
                                 "'stateDir' must be an absolute path, got '" + *dir + "'");
        else
          config_.stateDir = *dir;
      }
    } else if (key == "slots") {
      if (auto n = integerInRange(r_, value, key, at, 1, 256)) config_.slots = *n;
    } else if (key == "shutdownTimeout") {
      if (auto n = integerInRange(r_, value, key, at, 0, 86400)) config_.shutdownTimeout = *n;
    } else if (key == "logRetention") {
      logRetention(value, at);
    } else if (key == "engine") {
      engine(value, at);
    } else if (key == "registries") {
      readRegistries(r_, value, at, config_.registries);
    } else if (key == "dockerConfig") {
      if (auto path = nonEmptyString(r_, value, key, at)) config_.dockerConfig = *path;
    } else if (key == "caBundle") {
      if (auto path = nonEmptyString(r_, value, key, at)) config_.caBundle = *path;
    } else if (key == "mirrors") {
      mirrors(value, at);
    } else if (key == "queue") {
      queue(value, at);
    } else if (key == "metrics") {
      metrics(value, at);
    } else if (key == "tasks") {
      readTasks(r_, value, at, config_.tasks);
    } else if (key == "diskGuard") {
      diskGuard(value, at);
    } else if (key == "azure") {
      azureEndpoints(value, at);
    } else if (key == "secrets") {
      readLocalSecrets(r_, value, at, config_.secrets);
    } else if (key == "gitCredentials") {
      readGitCredentials(r_, value, at, config_.gitCredentials);
    } else {
      return false;
    }
    return true;
  }

  void logRetention(const YAML::Node& value, const SourcePosition& at) {
    if (!r_.expectMap(value, "logRetention", at)) return;
    r_.forEachEntry(value, "logRetention", kRetentionKeys,
                    [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& v) {
                      if (key == "days") {
                        if (auto n = integerInRange(r_, v, key, keyAt, 1, 36500))
                          config_.logRetention.days = *n;
                      } else if (key == "maxSizeMB") {
                        if (auto n = integerInRange(r_, v, key, keyAt, 1, 1 << 24))
                          config_.logRetention.maxSizeMB = *n;
                      } else {
                        return false;
                      }
                      return true;
                    });
  }

  void engine(const YAML::Node& value, const SourcePosition& at) {
    if (!r_.expectMap(value, "engine", at)) return;
    EngineSettings& engine = config_.engine;
    bool binarySet = false;
    std::optional<SourcePosition> buildahOnly;
    std::string buildahOnlyKey;
    r_.forEachEntry(
        value, "engine", kEngineKeys,
        [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& v) {
          if (key == "kind") {
            if (auto kind = oneOf<EngineKind>(
                    r_, v, key, keyAt, {{"buildah", EngineKind::Buildah}, {"docker", EngineKind::Docker}}))
              engine.kind = *kind;
          } else if (key == "binary") {
            if (auto binary = nonEmptyString(r_, v, key, keyAt)) {
              engine.binary = *binary;
              binarySet = true;
            }
          } else if (key == "storageDriver") {
            if (auto driver = nonEmptyString(r_, v, key, keyAt)) engine.storageDriver = *driver;
            buildahOnly = keyAt;
            buildahOnlyKey = key;
          } else if (key == "isolation") {
            if (auto isolation = oneOf<std::string>(
                    r_, v, key, keyAt, {{"chroot", "chroot"}, {"oci", "oci"}, {"rootless", "rootless"}}))
              engine.isolation = *isolation;
            buildahOnly = keyAt;
            buildahOnlyKey = key;
          } else {
            return false;
          }
          return true;
        });
    if (!binarySet) engine.binary = engine.kind == EngineKind::Docker ? "docker" : "buildah";
    if (engine.kind == EngineKind::Docker && buildahOnly)
      r_.diagnostics().error(*buildahOnly, "'" + buildahOnlyKey + "' applies only to kind: buildah");
  }

  void mirrors(const YAML::Node& value, const SourcePosition& at) {
    if (value.IsNull()) return;
    if (!r_.expectMap(value, "mirrors", at)) return;
    for (auto it = value.begin(); it != value.end(); ++it) {
      const SourcePosition keyAt = r_.position(it->first, at);
      const std::string host = it->first.IsScalar() ? it->first.Scalar() : "";
      if (host.empty() || host.find('/') != std::string::npos) {
        r_.diagnostics().error(
            keyAt, "each key of 'mirrors' must be a registry host, got " + YamlReader::describe(it->first));
        continue;
      }
      auto prefix = nonEmptyString(r_, it->second, "mirrors." + host, keyAt);
      if (!prefix) continue;
      if (!config_.mirrors.emplace(host, *prefix).second)
        r_.diagnostics().error(keyAt, "duplicate mirror for '" + host + "'");
    }
  }

  void queue(const YAML::Node& value, const SourcePosition& at) {
    if (!r_.expectMap(value, "queue", at)) return;
    QueueSettings& queue = config_.queue;
    std::optional<SourcePosition> pathAt, azureAt;
    r_.forEachEntry(
        value, "queue", kQueueKeys,
        [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& v) {
          if (key == "kind") {
            if (auto kind = oneOf<QueueKind>(r_, v, key, keyAt,
                                             {{"spool", QueueKind::Spool}, {"azure", QueueKind::Azure}}))
              queue.kind = *kind;
          } else if (key == "path") {
            pathAt = keyAt;
            if (auto path = nonEmptyString(r_, v, key, keyAt)) {
              if (path->front() != '/')
                r_.diagnostics().error(r_.position(v, keyAt),
                                       "queue 'path' must be an absolute path, got '" + *path + "'");
              queue.path = *path;
              queuePathSet_ = true;
            }
          } else if (key == "azure") {
            azureAt = keyAt;
            azure(v, keyAt);
          } else {
            return false;
          }
          return true;
        });
    if (queue.kind == QueueKind::Azure && !azureAt)
      r_.diagnostics().error(at, "queue kind 'azure' needs an 'azure' section (endpoint, name, auth)");
    if (queue.kind == QueueKind::Azure && pathAt)
      r_.diagnostics().error(*pathAt, "queue 'path' applies only to kind: spool");
    if (queue.kind == QueueKind::Spool && azureAt)
      r_.diagnostics().error(*azureAt, "queue 'azure' applies only to kind: azure");
  }

  void azure(const YAML::Node& value, const SourcePosition& at) {
    if (!r_.expectMap(value, "azure", at)) return;
    AzureQueueSettings azure;
    bool hasEndpoint = false, hasName = false, hasAuth = false;
    r_.forEachEntry(value, "queue.azure", kAzureKeys,
                    [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& v) {
                      if (refuseInlineSecret(r_, key, keyAt, "queue.azure")) return true;
                      if (key == "endpoint") {
                        if (auto url = endpoint(r_, v, key, keyAt)) azure.endpoint = *url;
                        hasEndpoint = true;
                      } else if (key == "name") {
                        if (auto name = nonEmptyString(r_, v, key, keyAt)) azure.name = *name;
                        hasName = true;
                      } else if (key == "auth") {
                        azureAuth(v, keyAt, azure.auth);
                        hasAuth = true;
                      } else if (key == "blobEndpoint") {
                        if (auto url = endpoint(r_, v, key, keyAt)) azure.blobEndpoint = *url;
                      } else if (key == "container") {
                        if (auto name = nonEmptyString(r_, v, key, keyAt)) azure.container = *name;
                      } else if (key == "visibilityTimeout") {
                        if (auto n = integerInRange(r_, v, key, keyAt, 1, 7 * 24 * 3600))
                          azure.visibilityTimeout = *n;
                      } else if (key == "maxDequeueCount") {
                        if (auto n = integerInRange(r_, v, key, keyAt, 1, 1000)) azure.maxDequeueCount = *n;
                      } else {
                        return false;
                      }
                      return true;
                    });
    if (!hasEndpoint) r_.diagnostics().error(at, "queue.azure needs 'endpoint'");
    if (!hasName) r_.diagnostics().error(at, "queue.azure needs 'name'");
    if (!hasAuth) r_.diagnostics().error(at, "queue.azure needs 'auth'");
    config_.queue.azure = azure;
  }

  void azureAuth(const YAML::Node& value, const SourcePosition& at, AzureQueueAuth& auth) {
    if (!r_.expectMap(value, "auth", at)) return;
    int methods = 0;
    bool refused = false;
    r_.forEachEntry(value, "queue.azure.auth", kAzureAuthKeys,
                    [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& v) {
                      if (refuseInlineSecret(r_, key, keyAt, "queue.azure.auth")) return refused = true;
                      std::string* field = key == "sharedKeyFile"  ? &auth.sharedKeyFile
                                           : key == "sharedKeyEnv" ? &auth.sharedKeyEnv
                                           : key == "sasFile"      ? &auth.sasFile
                                           : key == "sasEnv"       ? &auth.sasEnv
                                                                   : nullptr;
                      if (key == "managedIdentity") {
                        auth.managedIdentity = readManagedIdentity(r_, v, keyAt);
                      } else if (field) {
                        if (auto text = nonEmptyString(r_, v, key, keyAt)) *field = *text;
                      } else {
                        return false;
                      }
                      ++methods;
                      return true;
                    });
    if (methods != 1 && !refused)
      r_.diagnostics().error(at,
                             "queue.azure.auth needs exactly one of managedIdentity, sharedKeyFile, "
                             "sharedKeyEnv, sasFile or sasEnv, got " +
                                 std::to_string(methods));
  }

  void metrics(const YAML::Node& value, const SourcePosition& at) {
    if (!r_.expectMap(value, "metrics", at)) return;
    MetricsSettings metrics;
    bool hasListen = false;
    r_.forEachEntry(value, "metrics", kMetricsKeys,
                    [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& v) {
                      if (key != "listen") return false;
                      hasListen = true;
                      if (auto address = nonEmptyString(r_, v, key, keyAt)) {
                        if (validListenAddress(*address))
                          metrics.listen = *address;
                        else
                          r_.diagnostics().error(
                              r_.position(v, keyAt),
                              "'listen' must be HOST:PORT (e.g. 127.0.0.1:9469), got '" + *address + "'");
                      }
                      return true;
                    });
    if (!hasListen) r_.diagnostics().error(at, "'metrics' needs 'listen' (e.g. 127.0.0.1:9469)");
    config_.metrics = metrics;
  }

  // IMDS is plain HTTP on a link-local address; the others are https (http only on loopback).
  void azureEndpoints(const YAML::Node& value, const SourcePosition& at) {
    if (!r_.expectMap(value, "azure", at)) return;
    AzureSettings& azure = config_.azure;
    r_.forEachEntry(value, "azure", kAzureEndpointKeys,
                    [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& v) {
                      if (key == "imdsEndpoint") {
                        auto url = nonEmptyString(r_, v, key, keyAt);
                        bool https = false;
                        if (url && urlHost(*url, https).empty())
                          r_.diagnostics().error(
                              r_.position(v, keyAt),
                              "'imdsEndpoint' must be an http:// or https:// URL, got '" + *url + "'");
                        else if (url)
                          azure.imdsEndpoint = *url;
                      } else if (key == "authorityHost") {
                        if (auto url = endpoint(r_, v, key, keyAt)) azure.authorityHost = *url;
                      } else if (key == "keyVaultEndpoint") {
                        if (auto url = endpoint(r_, v, key, keyAt)) azure.keyVaultEndpoint = *url;
                      } else {
                        return false;
                      }
                      return true;
                    });
  }

  void diskGuard(const YAML::Node& value, const SourcePosition& at) {
    if (!r_.expectMap(value, "diskGuard", at)) return;
    r_.forEachEntry(value, "diskGuard", kDiskGuardKeys,
                    [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& v) {
                      if (key == "minFreeMB") {
                        if (auto n = integerInRange(r_, v, key, keyAt, 0, 1 << 24))
                          config_.diskGuard.minFreeMB = *n;
                      } else if (key == "paths") {
                        if (!r_.expectList(v, "paths", keyAt)) return true;
                        for (const auto& item : v)
                          if (auto path = nonEmptyString(r_, item, "paths", keyAt)) {
                            if (path->front() != '/')
                              r_.diagnostics().error(
                                  r_.position(item, keyAt),
                                  "diskGuard 'paths' must be absolute, got '" + *path + "'");
                            else
                              config_.diskGuard.paths.emplace_back(*path);
                          }
                      } else {
                        return false;
                      }
                      return true;
                    });
  }

  YamlReader& r_;
  AgentConfig& config_;
  bool queuePathSet_ = false;
};

}  // namespace

const TaskDefinition* AgentConfig::findTask(std::string_view name) const {
  for (const TaskDefinition& task : tasks)
    if (task.name == name) return &task;
  return nullptr;
}

const RegistrySettings* AgentConfig::findRegistry(std::string_view host) const {
  for (const RegistrySettings& registry : registries)
    if (registry.host == host) return &registry;
  return nullptr;
}

std::optional<AgentConfig> parseAgentConfig(std::string_view text, const std::string& fileName,
                                            Diagnostics& diagnostics) {
  const int lineCount = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  const LineMap lines = LineMap::identity(fileName, lineCount);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    diagnostics.error(lines.map(e.mark.line + 1, e.mark.column + 1), "invalid YAML: " + e.msg);
    return std::nullopt;
  }
  Diagnostics found;
  YamlReader reader(lines, found);
  AgentConfig config;
  if (root.IsDefined() && !root.IsNull()) {
    if (root.IsMap())
      TopLevelReader(reader, config).read(root);
    else
      found.error(reader.position(root, {fileName, 1, 1}),
                  "the agent configuration must be a map of settings (stateDir:, tasks:, ...), got " +
                      YamlReader::describe(root));
  } else {
    config.queue.path = config.stateDir / "queue";
  }
  diagnostics.append(found);
  if (found.hasErrors()) return std::nullopt;
  return config;
}

AgentConfig loadAgentConfig(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const int error = errno;
    throw TaskError(Diagnostic{Severity::Error,
                               {file.string()},
                               "cannot read the agent configuration: " + std::string(std::strerror(error))});
  }
  std::ostringstream text;
  text << in.rdbuf();
  Diagnostics diagnostics;
  std::optional<AgentConfig> config = parseAgentConfig(text.str(), file.string(), diagnostics);
  if (!config) throw TaskError(diagnostics);
  return *config;
}

std::filesystem::path defaultAgentConfigPath() {
  const char* fromEnvironment = std::getenv("HANGAR_CONFIG");
  if (fromEnvironment && *fromEnvironment) return fromEnvironment;
  return "/etc/hangar/agent.yaml";
}

}  // namespace hangar::config
