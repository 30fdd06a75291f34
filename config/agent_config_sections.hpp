#pragma once

// Internal to the agent configuration parser: readers of the sections of agent.yaml, shared by
// agent_config.cpp, agent_config_registries.cpp and agent_config_tasks.cpp.

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/agent_config.hpp"
#include "config/key_suggestion.hpp"
#include "config/yaml_reader.hpp"

namespace hangar::config::agent_config_detail {

/// Reads `value` as one of the given words (exact spelling); otherwise reports the allowed words and
/// the closest one.
template <typename T>
std::optional<T> oneOf(YamlReader& reader, const YAML::Node& value, std::string_view key,
                       const SourcePosition& keyPosition,
                       std::initializer_list<std::pair<std::string_view, T>> choices) {
  std::optional<std::string> word = reader.string(value, key, keyPosition);
  if (!word) return std::nullopt;
  std::vector<std::string_view> names;
  for (const auto& [name, result] : choices) {
    if (name == *word) return result;
    names.push_back(name);
  }
  std::string allowed;
  for (size_t i = 0; i < names.size(); ++i)
    allowed += (i ? i + 1 == names.size() ? " or " : ", " : "") + std::string(names[i]);
  reader.diagnostics().error(reader.position(value, keyPosition),
                             "'" + std::string(key) + "' must be " + allowed + ", got " +
                                 YamlReader::describe(value) + didYouMean(*word, names));
  return std::nullopt;
}

/// Reads an integer and checks it lies in [min, max].
std::optional<int> integerInRange(YamlReader& reader, const YAML::Node& value, std::string_view key,
                                  const SourcePosition& keyPosition, int min, int max);

/// A non-empty string, or an error "'KEY' must not be empty".
std::optional<std::string> nonEmptyString(YamlReader& reader, const YAML::Node& value, std::string_view key,
                                          const SourcePosition& keyPosition);

/// When `key` is a field that would hold a secret inline (password, clientSecret, sharedKey, ...),
/// reports that it is refused and which *File / *Env forms to use instead, and returns true. The
/// value is never quoted in the message.
bool refuseInlineSecret(YamlReader& reader, const std::string& key, const SourcePosition& keyPosition,
                        std::string_view where);

/// A `...File` (absolute path) or `...Env` (variable name) field, checked by the key's suffix; the
/// value is never quoted in messages (it might be the secret itself, pasted into the wrong field).
std::optional<std::string> secretReference(YamlReader& reader, const YAML::Node& value,
                                           const std::string& key, const SourcePosition& keyPosition);

/// `managedIdentity:` ({} or null = system-assigned; else one of clientId, objectId, resourceId).
std::optional<ManagedIdentityAuth> readManagedIdentity(YamlReader& reader, const YAML::Node& value,
                                                       const SourcePosition& keyPosition);

/// `registries:`.
void readRegistries(YamlReader& reader, const YAML::Node& value, const SourcePosition& keyPosition,
                    std::vector<RegistrySettings>& out);

/// `tasks:`.
void readTasks(YamlReader& reader, const YAML::Node& value, const SourcePosition& keyPosition,
               std::vector<TaskDefinition>& out);

/// `secrets:` (agent-local task secrets).
void readLocalSecrets(YamlReader& reader, const YAML::Node& value, const SourcePosition& keyPosition,
                      std::vector<LocalSecretSettings>& out);

/// `gitCredentials:`.
void readGitCredentials(YamlReader& reader, const YAML::Node& value, const SourcePosition& keyPosition,
                        std::vector<GitCredentialSettings>& out);

}  // namespace hangar::config::agent_config_detail
