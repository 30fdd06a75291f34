#include "config/task_parser.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "config/base64.hpp"
#include "config/environment.hpp"
#include "config/step_parser.hpp"
#include "config/task_validation.hpp"
#include "config/yaml_limits.hpp"
#include "config/yaml_reader.hpp"

namespace hangar::config {

namespace {

constexpr int kDefaultStepTimeout = 600;  // acr-builder's defaultStepTimeoutInSeconds

const std::vector<std::string_view> kTaskKeys = {"version", "stepTimeout", "workingDirectory", "env",
                                                 "secrets", "networks",    "volumes",          "alias",
                                                 "steps",   "totalTimeout"};
const std::vector<std::string_view> kSecretKeys = {"id", "keyvault", "clientID"};
const std::vector<std::string_view> kNetworkKeys = {"name", "driver", "ipv6", "skipCreation", "isDefault"};
const std::vector<std::string_view> kVolumeKeys = {"name", "secret"};
const std::vector<std::string_view> kAliasKeys = {"src", "values", "directive"};
const std::vector<std::string_view> kVersions = {"1.0-preview-1", "v1.0.0", "v1.1.0"};

bool matches(const std::string& text, const char* pattern) {
  return std::regex_match(text, std::regex(pattern));
}

bool containsSpace(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

/// The number of Unicode code points of UTF-8 text (continuation bytes are not counted).
std::size_t codePoints(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

/// Reads the top level of one task file.
class TaskReader {
 public:
  TaskReader(const LineMap& lines, Diagnostics& diagnostics) : lines_(lines), r_(lines, diagnostics) {
    task_.file = lines.file;
  }

  std::optional<Task> read(std::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
      checkYamlLimits(root);
    } catch (const YAML::DeepRecursion& e) {
      diag().error(position(e.mark.line, e.mark.column),
                   "invalid YAML: nested more than " + std::to_string(e.depth() - 1) + " levels deep");
      return std::nullopt;
    } catch (const YamlLimitError& e) {
      diag().error(position(e.mark().line, e.mark().column), e.what());
      return std::nullopt;
    } catch (const YAML::Exception& e) {
      SourcePosition at = e.mark.is_null() ? SourcePosition{r_.file()} : position(e.mark.line, e.mark.column);
      diag().error(at, "invalid YAML: " + e.msg);
      return std::nullopt;
    }
    if (!root.IsMap()) {
      const SourcePosition at = root.IsNull() ? SourcePosition{r_.file(), 1, 1} : r_.position(root);
      diag().error(at, "a task file must be a YAML map with at least 'steps:', got " +
                           YamlReader::describe(root) + (root.IsScalar() ? " (is this a Dockerfile?)" : ""));
      return std::nullopt;
    }
    r_.forEachEntry(root, "the task", kTaskKeys,
                    [this](const std::string& key, const SourcePosition& at, const YAML::Node& value) {
                      return readKey(key, at, value);
                    });
    if (!stepsSeen_) diag().error({r_.file(), 1, 1}, "the task has no 'steps:'; it needs at least one step");
    checkVersion();
    applyDefaults();
    validateSteps(steps_, task_.volumes, diag());
    if (diag().hasErrors()) return std::nullopt;
    for (ParsedStep& parsed : steps_) task_.steps.push_back(std::move(parsed.step));
    return std::move(task_);
  }

 private:
  Diagnostics& diag() { return r_.diagnostics(); }
  /// The original position of a 0-based yaml-cpp mark.
  SourcePosition position(int line, int column) const { return lines_.map(line + 1, column + 1); }

  bool readKey(const std::string& key, const SourcePosition& at, const YAML::Node& v) {
    if (key == "version") {
      versionPosition_ = r_.position(v, at);
      if (auto s = r_.string(v, key, at); s && !s->empty()) task_.version = *s;
    } else if (key == "stepTimeout") {
      if (auto n = r_.integer(v, key, at)) {
        if (*n < 0)
          diag().error(r_.position(v, at), "'stepTimeout' must be 0 or more, got " + std::to_string(*n) +
                                               " (0 means the default of 600 seconds)");
        else
          task_.stepTimeout = *n;
      }
    } else if (key == "workingDirectory") {
      if (auto s = r_.string(v, key, at)) task_.workingDirectory = *s;
    } else if (key == "env") {
      if (auto list = r_.stringList(v, key, at)) {
        checkEnvEntries(*list, diag());
        for (const auto& entry : *list) task_.env.push_back(entry.value);
      }
    } else if (key == "secrets") {
      readList(v, key, at,
               [this](const YAML::Node& item, const SourcePosition& itemAt) { readSecret(item, itemAt); });
    } else if (key == "networks") {
      readList(v, key, at,
               [this](const YAML::Node& item, const SourcePosition& itemAt) { readNetwork(item, itemAt); });
    } else if (key == "volumes") {
      readList(v, key, at,
               [this](const YAML::Node& item, const SourcePosition& itemAt) { readVolume(item, itemAt); });
    } else if (key == "alias") {
      readAlias(v, at);
    } else if (key == "steps") {
      readSteps(v, at);
    } else if (key == "totalTimeout") {
      diag().warning(
          at, "'totalTimeout' has no effect (acr-builder removed it); limit the whole run with --timeout");
    } else {
      return false;
    }
    return true;
  }

  template <typename ReadItem>
  void readList(const YAML::Node& v, const std::string& key, const SourcePosition& at, ReadItem readItem) {
    if (v.IsNull() || !r_.expectList(v, key, at)) return;
    for (const YAML::Node& item : v) {
      const SourcePosition itemAt = r_.position(item, r_.position(v, at));
      if (!item.IsMap()) {
        diag().error(itemAt, "each entry of '" + key + "' must be a map, got " + YamlReader::describe(item));
        continue;
      }
      readItem(item, itemAt);
    }
  }

  void readSecret(const YAML::Node& item, const SourcePosition& at) {
    SecretSpec secret;
    secret.position = at;
    SourcePosition idAt = at, clientAt = at;
    r_.forEachEntry(item, "a secret", kSecretKeys,
                    [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& value) {
                      std::string* field = key == "id"         ? &secret.id
                                           : key == "keyvault" ? &secret.keyVault
                                           : key == "clientID" ? &secret.clientId
                                                               : nullptr;
                      if (!field) return false;
                      if (auto s = r_.string(value, key, keyAt)) *field = *s;
                      if (key == "id") idAt = r_.position(value, keyAt);
                      if (key == "clientID") clientAt = r_.position(value, keyAt);
                      return true;
                    });
    if (secret.id.empty()) {
      diag().error(at, "a secret needs an 'id' (the name used in {{.Secrets.ID}})");
    } else if (containsSpace(secret.id)) {
      diag().error(idAt, "secret id '" + secret.id + "' must not contain spaces");
    } else if (!secretIds_.insert(secret.id).second) {
      diag().error(idAt, "duplicate secret id '" + secret.id + "'");
    }
    if (secret.keyVault.empty()) {
      diag().error(at,
                   "secret '" + secret.id + "' needs 'keyvault': the URL of the secret in Azure Key Vault");
    }
    if (!secret.clientId.empty() &&
        !matches(secret.clientId,
                 "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
      diag().error(clientAt, "the clientID of secret '" + secret.id +
                                 "' must be a GUID such as "
                                 "'01234567-89ab-cdef-0123-456789abcdef', got '" +
                                 secret.clientId + "'");
    }
    task_.secrets.push_back(std::move(secret));
  }

  void readNetwork(const YAML::Node& item, const SourcePosition& at) {
    NetworkSpec network;
    network.position = at;
    SourcePosition nameAt = at;
    r_.forEachEntry(item, "a network", kNetworkKeys,
                    [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& value) {
                      if (key == "name" || key == "driver") {
                        if (auto s = r_.string(value, key, keyAt))
                          (key == "name" ? network.name : network.driver) = *s;
                        if (key == "name") nameAt = r_.position(value, keyAt);
                        return true;
                      }
                      bool* flag = key == "ipv6"           ? &network.ipv6
                                   : key == "skipCreation" ? &network.skipCreation
                                   : key == "isDefault"    ? &network.isDefault
                                                           : nullptr;
                      if (!flag) return false;
                      if (auto b = r_.boolean(value, key, keyAt)) *flag = *b;
                      return true;
                    });
    if (network.name.empty()) {
      diag().error(at, "a network needs a 'name'");
    } else if (containsSpace(network.name)) {
      diag().error(nameAt, "network name '" + network.name + "' must not contain spaces");
    } else if (!networkNames_.insert(network.name).second) {
      diag().error(nameAt, "duplicate network name '" + network.name + "'");
    }
    task_.networks.push_back(std::move(network));
  }

  void readVolume(const YAML::Node& item, const SourcePosition& at) {
    VolumeSpec volume;
    volume.position = at;
    SourcePosition nameAt = at;
    bool hasSecret = false;
    r_.forEachEntry(item, "a volume", kVolumeKeys,
                    [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& value) {
                      if (key == "name") {
                        if (auto s = r_.string(value, key, keyAt)) volume.name = *s;
                        nameAt = r_.position(value, keyAt);
                      } else if (key == "secret") {
                        hasSecret = true;
                        readVolumeSecret(value, keyAt, volume);
                      } else {
                        return false;
                      }
                      return true;
                    });
    if (volume.name.empty()) {
      diag().error(at, "a volume needs a 'name'");
    } else if (!matches(volume.name, "[A-Za-z0-9_-]+")) {
      diag().error(nameAt, "volume name '" + volume.name + "' may only contain letters, digits, '_' and '-'");
    } else if (!volumeNames_.insert(volume.name).second) {
      diag().error(nameAt, "duplicate volume name '" + volume.name + "'");
    }
    if (!hasSecret || volume.secret.empty()) {
      diag().error(at, "volume '" + volume.name + "' needs a 'secret' map of file name: base64 content");
    }
    task_.volumes.push_back(std::move(volume));
  }

  void readVolumeSecret(const YAML::Node& value, const SourcePosition& keyAt, VolumeSpec& volume) {
    if (value.IsNull() || !r_.expectMap(value, "secret", keyAt)) return;
    const std::string where = "the secret of volume '" + volume.name + "'";
    // Every key is a file name, so no key is unknown.
    r_.forEachEntry(value, where, {},
                    [&](const std::string& file, const SourcePosition& fileAt, const YAML::Node& content) {
                      if (file.empty() || file == "." || file == ".." || !matches(file, "[A-Za-z0-9._-]+")) {
                        diag().error(fileAt, "secret file name '" + file +
                                                 "' may only contain letters, digits, '.', '_' and '-'");
                      }
                      std::string text;
                      if (content.IsScalar()) {
                        text = content.Scalar();
                      } else if (!content.IsNull()) {
                        diag().error(r_.position(content, fileAt), "the content of secret file '" + file +
                                                                       "' must be a base64 string, got " +
                                                                       YamlReader::describe(content));
                        return true;
                      }
                      // The value is a secret: say where it is, never what it is.
                      if (!decodeBase64(text)) {
                        diag().error(r_.position(content, fileAt),
                                     "the content of secret file '" + file + "' in volume '" + volume.name +
                                         "' is not valid base64 (use {{... | b64enc}})");
                      }
                      volume.secret[file] = text;
                      return true;
                    });
  }

  void readAlias(const YAML::Node& v, const SourcePosition& at) {
    if (v.IsNull() || !r_.expectMap(v, "alias", at)) return;
    AliasSpec alias;
    r_.forEachEntry(v, "'alias'", kAliasKeys,
                    [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& value) {
                      if (key == "src") {
                        if (auto list = r_.stringList(value, key, keyAt))
                          for (const auto& entry : *list) alias.src.push_back(entry.value);
                      } else if (key == "values") {
                        readAliasValues(value, keyAt, alias);
                      } else if (key == "directive") {
                        auto directive = r_.string(value, key, keyAt);
                        if (!directive || directive->empty()) return true;
                        const std::string& d = *directive;
                        if (codePoints(d) != 1 || std::isalnum(static_cast<unsigned char>(d[0]))) {
                          diag().error(r_.position(value, keyAt),
                                       "alias directive '" + d +
                                           "' must be exactly one character that is not a "
                                           "letter or digit (the default is '$')");
                        } else {
                          alias.directive = d;
                        }
                      } else {
                        return false;
                      }
                      return true;
                    });
    task_.alias = std::move(alias);
  }

  void readAliasValues(const YAML::Node& value, const SourcePosition& keyAt, AliasSpec& alias) {
    if (value.IsNull() || !r_.expectMap(value, "values", keyAt)) return;
    r_.forEachEntry(value, "alias 'values'", {},
                    [&](const std::string& name, const SourcePosition& nameAt, const YAML::Node& text) {
                      if (!matches(name, "[A-Za-z0-9]+")) {
                        diag().error(nameAt, "alias name '" + name + "' may only contain letters and digits");
                      }
                      if (auto s = r_.string(text, name, nameAt))
                        alias.values[name] = *s;
                      else
                        alias.values[name];
                      return true;
                    });
  }

  void readSteps(const YAML::Node& v, const SourcePosition& at) {
    stepsSeen_ = true;
    if (v.IsNull() || (v.IsSequence() && v.size() == 0)) {
      diag().error(at, "'steps' is empty; a task needs at least one step");
      return;
    }
    if (!r_.expectList(v, "steps", at)) return;
    std::size_t index = 0;
    for (const YAML::Node& item : v) steps_.push_back(parseStep(r_, item, index++, r_.position(v, at)));
  }

  void checkVersion() {
    const std::string lower = lowercase(task_.version);
    if (std::find(kVersions.begin(), kVersions.end(), lower) != kVersions.end()) return;
    diag().error(versionPosition_.line > 0 ? versionPosition_ : SourcePosition{r_.file()},
                 "invalid version '" + task_.version + "': use v1.1.0 (aliases on), v1.0.0 or 1.0-preview-1");
  }

  /// acr-builder's Task.initialize: step timeouts default to stepTimeout (0 means 600), step working
  /// directories to the task's, and the task env is merged into each step's env (the step wins).
  void applyDefaults() {
    if (task_.stepTimeout <= 0) task_.stepTimeout = kDefaultStepTimeout;
    for (ParsedStep& parsed : steps_) {
      Step& step = parsed.step;
      if (step.timeout <= 0) step.timeout = task_.stepTimeout;
      if (step.workingDirectory.empty()) step.workingDirectory = task_.workingDirectory;
      step.env = mergeEnv(step.env, task_.env);
    }
  }

  const LineMap& lines_;
  YamlReader r_;
  Task task_;
  std::vector<ParsedStep> steps_;
  bool stepsSeen_ = false;
  SourcePosition versionPosition_;
  std::set<std::string> secretIds_, networkNames_, volumeNames_;
};

}  // namespace

std::optional<Task> parseTask(std::string_view text, const LineMap& lines, Diagnostics& diagnostics) {
  Diagnostics found;
  std::optional<Task> task = TaskReader(lines, found).read(text);
  // Checks run in several passes; report in file order, as a reader goes through the file.
  std::vector<Diagnostic> ordered = found.all();
  std::stable_sort(ordered.begin(), ordered.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.position.line, a.position.column) < std::pair(b.position.line, b.position.column);
  });
  for (Diagnostic& d : ordered) {
    if (d.severity == Severity::Error)
      diagnostics.error(std::move(d.position), std::move(d.message));
    else
      diagnostics.warning(std::move(d.position), std::move(d.message));
  }
  return task;
}

}  // namespace hangar::config
