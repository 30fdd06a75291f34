// The `secrets:` (agent-local task secrets) and `gitCredentials:` sections of agent.yaml: where secrets
// come from on this agent, as paths and variable names only.

#include <array>
#include <set>

#include "config/agent_config_sections.hpp"
#include "config/base64.hpp"

namespace hangar::config::agent_config_detail {

namespace {

constexpr std::array<std::string_view, 4> kLocalSecretKeys{"id", "keyvault", "valueFile", "valueEnv"};
constexpr std::array<std::string_view, 12> kGitCredentialKeys{
    "host",     "urlPrefix",  "username",         "passwordFile",      "passwordEnv",      "tokenFile",
    "tokenEnv", "sshKeyFile", "sshPublicKeyFile", "sshPassphraseFile", "sshPassphraseEnv", "sshHostKey"};

/// "SHA256:" and the unpadded base64 of 32 bytes, as `ssh-keygen -lf` prints a fingerprint.
bool validFingerprint(std::string_view text) {
  if (!text.starts_with("SHA256:")) return false;
  std::string encoded(text.substr(7));
  while (encoded.size() % 4 != 0) encoded += '=';
  std::optional<std::string> raw = decodeBase64(encoded);
  return raw && raw->size() == 32;
}

bool validGitHost(std::string_view host) {
  return !host.empty() && host.find("://") == std::string_view::npos &&
         host.find_first_of("/ \t@") == std::string_view::npos;
}

bool validUrlPrefix(std::string_view prefix) {
  for (std::string_view scheme : {"https://", "http://", "ssh://", "git://", "file://"})
    if (prefix.starts_with(scheme) && prefix.size() > scheme.size()) return true;
  return false;
}

/// Reads one field that names a file or a variable into `field`; false when it was not valid.
bool readReference(YamlReader& reader, const YAML::Node& value, const std::string& key,
                   const SourcePosition& keyAt, std::string& field) {
  std::optional<std::string> text = secretReference(reader, value, key, keyAt);
  if (text) field = *text;
  return text.has_value();
}

std::optional<LocalSecretSettings> readLocalSecret(YamlReader& reader, const YAML::Node& item,
                                                   const std::string& where, const SourcePosition& at) {
  LocalSecretSettings secret;
  secret.position = at;
  bool ok = true;
  int sources = 0;
  reader.forEachEntry(
      item, where, kLocalSecretKeys,
      [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& v) {
        if (key == "value") {
          reader.diagnostics().error(keyAt, "inline secret 'value' in " + where +
                                                " is refused: agent.yaml never holds "
                                                "secrets; use valueFile or valueEnv");
          return !(ok = false);
        }
        if (key == "id") {
          auto id = nonEmptyString(reader, v, key, keyAt);
          if (id && id->find_first_of(" \t\n") != std::string::npos) {
            reader.diagnostics().error(reader.position(v, keyAt),
                                       "secret 'id' must not hold white space, got '" + *id + "'");
            id.reset();
          }
          if (id) secret.id = *id;
          ok = ok && id.has_value();
        } else if (key == "keyvault") {
          auto url = nonEmptyString(reader, v, key, keyAt);
          if (url && !url->starts_with("https://")) {
            reader.diagnostics().error(reader.position(v, keyAt),
                                       "'keyvault' must be the https:// URL of a Key Vault secret, as in the "
                                       "task's secrets, got '" +
                                           *url + "'");
            url.reset();
          }
          if (url) secret.keyVault = *url;
          ok = ok && url.has_value();
        } else if (key == "valueFile" || key == "valueEnv") {
          ++sources;
          ok =
              readReference(reader, v, key, keyAt, key == "valueFile" ? secret.valueFile : secret.valueEnv) &&
              ok;
        } else {
          return false;
        }
        return true;
      });
  if (!ok) return std::nullopt;
  if (secret.id.empty() == secret.keyVault.empty()) {
    reader.diagnostics().error(at, where +
                                       " needs exactly one of 'id' (a task secret id) or 'keyvault' (its "
                                       "Key Vault URL)");
    return std::nullopt;
  }
  if (sources != 1) {
    reader.diagnostics().error(
        at, where + " needs exactly one of valueFile or valueEnv, got " + std::to_string(sources));
    return std::nullopt;
  }
  return secret;
}

std::optional<GitCredentialSettings> readGitCredential(YamlReader& reader, const YAML::Node& item,
                                                       const std::string& where, const SourcePosition& at) {
  GitCredentialSettings entry;
  entry.position = at;
  bool ok = true;
  std::optional<SourcePosition> passphraseAt, publicKeyAt;
  reader.forEachEntry(
      item, where, kGitCredentialKeys,
      [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& v) {
        if (refuseInlineSecret(reader, key, keyAt, where)) return !(ok = false);
        std::string* reference = key == "passwordFile"        ? &entry.passwordFile
                                 : key == "passwordEnv"       ? &entry.passwordEnv
                                 : key == "tokenFile"         ? &entry.tokenFile
                                 : key == "tokenEnv"          ? &entry.tokenEnv
                                 : key == "sshKeyFile"        ? &entry.sshKeyFile
                                 : key == "sshPublicKeyFile"  ? &entry.sshPublicKeyFile
                                 : key == "sshPassphraseFile" ? &entry.sshPassphraseFile
                                 : key == "sshPassphraseEnv"  ? &entry.sshPassphraseEnv
                                                              : nullptr;
        if (reference) {
          if (key.starts_with("sshPassphrase")) passphraseAt = keyAt;
          if (key == "sshPublicKeyFile") publicKeyAt = keyAt;
          ok = readReference(reader, v, key, keyAt, *reference) && ok;
        } else if (key == "host") {
          auto host = nonEmptyString(reader, v, key, keyAt);
          if (host && !validGitHost(*host)) {
            reader.diagnostics().error(
                reader.position(v, keyAt),
                "'host' must be a host[:port] without scheme, user or path, got '" + *host + "'");
            host.reset();
          }
          if (host) entry.host = *host;
          ok = ok && host.has_value();
        } else if (key == "urlPrefix") {
          auto prefix = nonEmptyString(reader, v, key, keyAt);
          if (prefix && !validUrlPrefix(*prefix)) {
            reader.diagnostics().error(
                reader.position(v, keyAt),
                "'urlPrefix' must start with https://, http://, ssh://, git:// or file:// and name a host");
            prefix.reset();
          } else if (prefix && prefix->find('@') != std::string::npos) {
            reader.diagnostics().error(reader.position(v, keyAt),
                                       "'urlPrefix' must not hold user info (user@); use 'username'");
            prefix.reset();
          }
          if (prefix) entry.urlPrefix = *prefix;
          ok = ok && prefix.has_value();
        } else if (key == "sshHostKey") {
          passphraseAt = passphraseAt ? passphraseAt : keyAt;
          auto fingerprint = nonEmptyString(reader, v, key, keyAt);
          if (fingerprint && !validFingerprint(*fingerprint)) {
            reader.diagnostics().error(
                reader.position(v, keyAt),
                "'sshHostKey' must be a SHA256 fingerprint as ssh-keygen -lf prints it "
                "(SHA256:<43 base64 characters>), got '" +
                    *fingerprint + "'");
            fingerprint.reset();
          }
          if (fingerprint) entry.sshHostKey = *fingerprint;
          ok = ok && fingerprint.has_value();
        } else if (key == "username") {
          auto name = nonEmptyString(reader, v, key, keyAt);
          if (name) entry.username = *name;
          ok = ok && name.has_value();
        } else {
          return false;
        }
        return true;
      });
  if (!ok) return std::nullopt;
  if (entry.host.empty() == entry.urlPrefix.empty()) {
    reader.diagnostics().error(at, where + " needs exactly one of 'host' or 'urlPrefix'");
    return std::nullopt;
  }
  const int passwords = !entry.passwordFile.empty() + !entry.passwordEnv.empty();
  const int tokens = !entry.tokenFile.empty() + !entry.tokenEnv.empty();
  const int keys = !entry.sshKeyFile.empty();
  if (passwords + tokens + keys != 1) {
    reader.diagnostics().error(at, where +
                                       " needs exactly one of passwordFile, passwordEnv, tokenFile, tokenEnv "
                                       "or sshKeyFile, got " +
                                       std::to_string(passwords + tokens + keys));
    return std::nullopt;
  }
  if (passwords && entry.username.empty()) {
    reader.diagnostics().error(at, where + " has a password but no 'username'");
    return std::nullopt;
  }
  if (!keys && (passphraseAt || publicKeyAt)) {
    reader.diagnostics().error(passphraseAt ? *passphraseAt : *publicKeyAt,
                               where +
                                   ": sshPublicKeyFile, sshPassphrase... and sshHostKey apply only with "
                                   "sshKeyFile");
    return std::nullopt;
  }
  if (!entry.sshPassphraseFile.empty() && !entry.sshPassphraseEnv.empty()) {
    reader.diagnostics().error(at, where + " needs at most one of sshPassphraseFile or sshPassphraseEnv");
    return std::nullopt;
  }
  return entry;
}

/// Calls `read` for each map of a list section, naming each `section[i]`.
template <typename Read>
void forEachListItem(YamlReader& reader, const YAML::Node& value, const std::string& section,
                     const SourcePosition& keyPosition, std::string_view shape, Read read) {
  if (value.IsNull()) return;
  if (!reader.expectList(value, section, keyPosition)) return;
  for (size_t index = 0; index < value.size(); ++index) {
    const YAML::Node item = value[index];
    const std::string where = section + "[" + std::to_string(index) + "]";
    const SourcePosition at = reader.position(item, keyPosition);
    if (!item.IsMap()) {
      reader.diagnostics().error(
          at, where + " must be a map (" + std::string(shape) + "), got " + YamlReader::describe(item));
      continue;
    }
    read(item, where, at);
  }
}

}  // namespace

void readLocalSecrets(YamlReader& reader, const YAML::Node& value, const SourcePosition& keyPosition,
                      std::vector<LocalSecretSettings>& out) {
  std::set<std::string> seen;
  forEachListItem(reader, value, "secrets", keyPosition, "id: or keyvault:, and valueFile: or valueEnv:",
                  [&](const YAML::Node& item, const std::string& where, const SourcePosition& at) {
                    std::optional<LocalSecretSettings> secret = readLocalSecret(reader, item, where, at);
                    if (!secret) return;
                    const std::string key =
                        secret->id.empty() ? "keyvault " + secret->keyVault : "id '" + secret->id + "'";
                    if (!seen.insert(key).second) {
                      reader.diagnostics().error(at, where + ": " + key + " is listed twice");
                      return;
                    }
                    out.push_back(std::move(*secret));
                  });
}

void readGitCredentials(YamlReader& reader, const YAML::Node& value, const SourcePosition& keyPosition,
                        std::vector<GitCredentialSettings>& out) {
  std::set<std::string> seen;
  forEachListItem(reader, value, "gitCredentials", keyPosition, "host: or urlPrefix:, and one credential",
                  [&](const YAML::Node& item, const std::string& where, const SourcePosition& at) {
                    std::optional<GitCredentialSettings> entry = readGitCredential(reader, item, where, at);
                    if (!entry) return;
                    const std::string key =
                        entry->host.empty() ? "urlPrefix " + entry->urlPrefix : "host " + entry->host;
                    if (!seen.insert(key).second) {
                      reader.diagnostics().error(at, where + ": " + key + " is listed twice");
                      return;
                    }
                    out.push_back(std::move(*entry));
                  });
}

}  // namespace hangar::config::agent_config_detail
