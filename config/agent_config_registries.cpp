// The `registries:` section of agent.yaml and the credential forms shared with `queue.azure.auth`.

#include <array>
#include <set>

#include "config/agent_config_sections.hpp"

namespace hangar::config::agent_config_detail {

namespace {

constexpr std::array<std::string_view, 3> kRegistryKeys{"host", "insecure", "auth"};
constexpr std::array<std::string_view, 5> kAuthKeys{"username", "passwordFile", "passwordEnv",
                                                    "managedIdentity", "servicePrincipal"};
constexpr std::array<std::string_view, 3> kManagedIdentityKeys{"clientId", "objectId", "resourceId"};
constexpr std::array<std::string_view, 5> kServicePrincipalKeys{"tenantId", "clientId", "clientSecretFile",
                                                                "clientSecretEnv", "certificateFile"};

/// Field names that would carry a secret inline, and the forms to use instead.
struct InlineSecret {
  std::string_view key;
  std::string_view instead;
};

constexpr InlineSecret kInlineSecrets[] = {
    {"password", "passwordFile or passwordEnv"},
    {"clientSecret", "clientSecretFile or clientSecretEnv"},
    {"secret", "a ...File or ...Env field"},
    {"token", "a ...File or ...Env field"},
    {"accessToken", "a ...File or ...Env field"},
    {"identityToken", "a ...File or ...Env field"},
    {"sharedKey", "sharedKeyFile or sharedKeyEnv"},
    {"accountKey", "sharedKeyFile or sharedKeyEnv"},
    {"sas", "sasFile or sasEnv"},
    {"sasToken", "sasFile or sasEnv"},
    {"connectionString", "sharedKeyFile or sasFile with an endpoint"},
    {"certificate", "certificateFile"},
};

bool isEnvironmentName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

std::optional<ServicePrincipalAuth> readServicePrincipal(YamlReader& reader, const YAML::Node& value,
                                                         const SourcePosition& at) {
  if (!reader.expectMap(value, "servicePrincipal", at)) return std::nullopt;
  ServicePrincipalAuth principal;
  int credentials = 0;
  bool ok = true, refused = false;
  reader.forEachEntry(value, "servicePrincipal", kServicePrincipalKeys,
                      [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& v) {
                        if (refuseInlineSecret(reader, key, keyAt, "servicePrincipal")) {
                          ok = false;
                          return refused = true;
                        }
                        std::string* field = key == "tenantId"           ? &principal.tenantId
                                             : key == "clientId"         ? &principal.clientId
                                             : key == "clientSecretFile" ? &principal.clientSecretFile
                                             : key == "clientSecretEnv"  ? &principal.clientSecretEnv
                                             : key == "certificateFile"  ? &principal.certificateFile
                                                                         : nullptr;
                        if (!field) return false;
                        const bool isCredential = key != "tenantId" && key != "clientId";
                        auto text = isCredential ? secretReference(reader, v, key, keyAt)
                                                 : nonEmptyString(reader, v, key, keyAt);
                        if (text) *field = *text;
                        ok = ok && text.has_value();
                        credentials += isCredential ? 1 : 0;
                        return true;
                      });
  if (!ok) return std::nullopt;  // the reason is reported already
  if (principal.tenantId.empty()) {
    reader.diagnostics().error(at, "servicePrincipal needs 'tenantId'");
    ok = false;
  }
  if (principal.clientId.empty()) {
    reader.diagnostics().error(at, "servicePrincipal needs 'clientId'");
    ok = false;
  }
  if (credentials != 1 && !refused) {
    reader.diagnostics().error(at,
                               "servicePrincipal needs exactly one of clientSecretFile, clientSecretEnv or "
                               "certificateFile, got " +
                                   std::to_string(credentials));
    ok = false;
  }
  if (!ok) return std::nullopt;
  return principal;
}

std::optional<RegistryAuth> readAuth(YamlReader& reader, const YAML::Node& value, const SourcePosition& at,
                                     const std::string& where) {
  if (!reader.expectMap(value, "auth", at)) return std::nullopt;
  RegistryAuth auth;
  int passwords = 0;
  bool basic = false, ok = true, refused = false;
  reader.forEachEntry(value, where, kAuthKeys,
                      [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& v) {
                        if (refuseInlineSecret(reader, key, keyAt, where)) {
                          ok = false;
                          return refused = true;
                        }
                        if (key == "username") {
                          basic = true;
                          if (auto name = nonEmptyString(reader, v, key, keyAt)) auth.username = *name;
                        } else if (key == "passwordFile" || key == "passwordEnv") {
                          basic = true;
                          ++passwords;
                          auto text = secretReference(reader, v, key, keyAt);
                          if (text) (key == "passwordFile" ? auth.passwordFile : auth.passwordEnv) = *text;
                          ok = ok && text.has_value();
                        } else if (key == "managedIdentity") {
                          auth.managedIdentity = readManagedIdentity(reader, v, keyAt);
                          if (!auth.managedIdentity) {
                            ok = false;
                            auth.managedIdentity = ManagedIdentityAuth{};  // counted as chosen below
                          }
                        } else if (key == "servicePrincipal") {
                          auth.servicePrincipal = readServicePrincipal(reader, v, keyAt);
                          if (!auth.servicePrincipal) {
                            ok = false;
                            auth.servicePrincipal = ServicePrincipalAuth{};
                          }
                        } else {
                          return false;
                        }
                        return true;
                      });
  const int methods = (basic ? 1 : 0) + (auth.managedIdentity ? 1 : 0) + (auth.servicePrincipal ? 1 : 0);
  if (refused) return std::nullopt;  // reported, and the rest would only repeat it
  if (methods != 1) {
    reader.diagnostics().error(at, where +
                                       " needs exactly one of username + passwordFile/passwordEnv, "
                                       "managedIdentity or servicePrincipal");
    return std::nullopt;
  }
  if (basic && auth.username.empty() && ok) {
    reader.diagnostics().error(at, where + " has a password but no 'username'");
    ok = false;
  }
  if (basic && passwords != 1 && !auth.username.empty()) {
    reader.diagnostics().error(
        at, where + " needs exactly one of passwordFile or passwordEnv for username '" + auth.username + "'");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return auth;
}

bool validHost(std::string_view host) {
  return !host.empty() && host.find("://") == std::string_view::npos &&
         host.find('/') == std::string_view::npos && host.find_first_of(" \t@") == std::string_view::npos;
}

}  // namespace

std::optional<std::string> secretReference(YamlReader& reader, const YAML::Node& value,
                                           const std::string& key, const SourcePosition& keyPosition) {
  std::optional<std::string> text = nonEmptyString(reader, value, key, keyPosition);
  if (!text) return std::nullopt;
  if (key.ends_with("Env") && !isEnvironmentName(*text)) {
    reader.diagnostics().error(
        reader.position(value, keyPosition),
        "'" + key + "' must name an environment variable ([A-Za-z_][A-Za-z0-9_]*); the value " +
            "is not shown in case it is the secret itself");
    return std::nullopt;
  }
  if (key.ends_with("File") && text->front() != '/') {
    reader.diagnostics().error(reader.position(value, keyPosition),
                               "'" + key +
                                   "' must be an absolute path to a file readable only by the service; " +
                                   "the value is not shown in case it is the secret itself");
    return std::nullopt;
  }
  return text;
}

bool refuseInlineSecret(YamlReader& reader, const std::string& key, const SourcePosition& keyPosition,
                        std::string_view where) {
  for (const InlineSecret& secret : kInlineSecrets) {
    if (key != secret.key) continue;
    reader.diagnostics().error(keyPosition, "inline secret '" + key + "' in " + std::string(where) +
                                                " is refused: agent.yaml never holds secrets; use " +
                                                std::string(secret.instead));
    return true;
  }
  return false;
}

std::optional<ManagedIdentityAuth> readManagedIdentity(YamlReader& reader, const YAML::Node& value,
                                                       const SourcePosition& keyPosition) {
  ManagedIdentityAuth identity;
  if (value.IsNull()) return identity;  // `managedIdentity:` alone is the system-assigned identity
  if (!reader.expectMap(value, "managedIdentity", keyPosition)) return std::nullopt;
  int ids = 0;
  bool ok = true;
  reader.forEachEntry(value, "managedIdentity", kManagedIdentityKeys,
                      [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& v) {
                        std::string* field = key == "clientId"     ? &identity.clientId
                                             : key == "objectId"   ? &identity.objectId
                                             : key == "resourceId" ? &identity.resourceId
                                                                   : nullptr;
                        if (!field) return ok = false;
                        ++ids;
                        if (auto text = nonEmptyString(reader, v, key, keyAt))
                          *field = *text;
                        else
                          ok = false;
                        return true;
                      });
  if (ids > 1) {
    reader.diagnostics().error(keyPosition,
                               "managedIdentity takes one of clientId, objectId or resourceId ({} for the "
                               "system-assigned identity), got " +
                                   std::to_string(ids));
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  return identity;
}

void readRegistries(YamlReader& reader, const YAML::Node& value, const SourcePosition& keyPosition,
                    std::vector<RegistrySettings>& out) {
  if (value.IsNull()) return;
  if (!reader.expectList(value, "registries", keyPosition)) return;
  std::set<std::string> hosts;
  for (size_t index = 0; index < value.size(); ++index) {
    const YAML::Node item = value[index];
    const std::string where = "registries[" + std::to_string(index) + "]";
    const SourcePosition at = reader.position(item, keyPosition);
    if (!item.IsMap()) {
      reader.diagnostics().error(
          at, where + " must be a map (host:, auth:, insecure:), got " + YamlReader::describe(item));
      continue;
    }
    RegistrySettings registry;
    registry.position = at;
    bool ok = true;
    reader.forEachEntry(item, where, kRegistryKeys,
                        [&](const std::string& key, const SourcePosition& keyAt, const YAML::Node& v) {
                          if (refuseInlineSecret(reader, key, keyAt, where)) {
                            ok = false;
                            return true;
                          }
                          if (key == "host") {
                            auto host = nonEmptyString(reader, v, key, keyAt);
                            if (host && !validHost(*host)) {
                              reader.diagnostics().error(
                                  reader.position(v, keyAt),
                                  "'host' must be a registry host[:port] without scheme or "
                                  "path, got '" +
                                      *host + "'");
                              host.reset();
                            }
                            if (host) registry.host = *host;
                            ok = ok && host.has_value();
                            if (host && !hosts.insert(*host).second) {
                              reader.diagnostics().error(keyAt, "registry '" + *host + "' is listed twice");
                              ok = false;
                            }
                          } else if (key == "insecure") {
                            if (auto flag = reader.boolean(v, key, keyAt)) registry.insecure = *flag;
                          } else if (key == "auth") {
                            registry.auth = readAuth(reader, v, keyAt, where + ".auth");
                            ok = ok && registry.auth.has_value();
                          } else {
                            return false;
                          }
                          return true;
                        });
    if (registry.host.empty() && ok) reader.diagnostics().error(at, where + " needs 'host'");
    out.push_back(std::move(registry));
  }
}

}  // namespace hangar::config::agent_config_detail
