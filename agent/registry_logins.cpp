#include "agent/registry_logins.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "agent/azure_endpoints.hpp"
#include "registry/azure_container_registry.hpp"
#include "registry/client_certificate_credential.hpp"
#include "registry/image_reference.hpp"
#include "registry/token_authenticator.hpp"
#include "runner/secret_source.hpp"

namespace hangar::agent {
namespace {

std::string readPassword(const std::string& file, const std::string& variable) {
  return file.empty() ? runner::readSecretEnv(variable) : runner::readPasswordFile(file);
}

// The AAD credential of a managed identity or a service principal; a client secret read here is added to
// `secrets` (masked like the tokens it buys).
std::shared_ptr<registry::TokenCredential> aadCredential(const config::RegistryAuth& auth,
                                                         const registry::AzureEndpoints& azure,
                                                         std::vector<std::string>& secrets) {
  if (const auto& identity = auth.managedIdentity) {
    return std::make_shared<registry::ManagedIdentityCredential>(
        azure.imdsUrl,
        registry::ManagedIdentityId{identity->clientId, identity->objectId, identity->resourceId});
  }
  const auto& principal = *auth.servicePrincipal;
  if (!principal.certificateFile.empty()) {
    // The file holds the private key: owner-only like every secret file, and read only here.
    return std::make_shared<registry::ClientCertificateCredential>(
        azure.authorityHost, principal.tenantId, principal.clientId,
        registry::ClientCertificate::fromPem(runner::readSecretFile(principal.certificateFile),
                                             principal.certificateFile));
  }
  secrets.push_back(readPassword(principal.clientSecretFile, principal.clientSecretEnv));
  return std::make_shared<registry::ClientSecretCredential>(azure.authorityHost, principal.tenantId,
                                                            principal.clientId, secrets.back());
}

// ACR's token exchange for an entry logging in with a managed identity or a service principal.
std::shared_ptr<registry::AcrTokenExchanger> acrExchanger(const config::RegistrySettings& entry,
                                                          const registry::AzureEndpoints& azure,
                                                          std::vector<std::string>& secrets) {
  registry::AcrOptions options;
  options.loginServer = entry.host;
  const bool plain = entry.insecure || registry::isLoopbackRegistry(entry.host);
  options.endpoint = (plain ? "http://" : "https://") + entry.host;
  if (entry.auth->servicePrincipal) options.tenantId = entry.auth->servicePrincipal->tenantId;
  return std::make_shared<registry::AcrTokenExchanger>(options, aadCredential(*entry.auth, azure, secrets));
}

bool isAzureLogin(const config::RegistrySettings& entry) {
  return entry.auth->managedIdentity || entry.auth->servicePrincipal;
}

std::runtime_error loginError(const config::RegistrySettings& entry, const std::exception& e) {
  return std::runtime_error("cannot log in to registry " + entry.host + " (" + entry.position.str() +
                            "): " + e.what());
}

// The refresh token of the entry's exchanger, exchanged again before it expires, for its host only.
class ExchangedLogin : public registry::CredentialProvider {
 public:
  ExchangedLogin(config::RegistrySettings entry, std::shared_ptr<registry::AcrTokenExchanger> exchanger)
      : entry_(std::move(entry)), exchanger_(std::move(exchanger)) {}
  std::optional<registry::Credential> credentialFor(const std::string& host) override {
    if (host != entry_.host) return std::nullopt;
    try {
      return exchanger_->credential();
    } catch (const std::exception& e) {
      throw loginError(entry_, e);
    }
  }

 private:
  config::RegistrySettings entry_;
  std::shared_ptr<registry::AcrTokenExchanger> exchanger_;
};

}  // namespace

std::shared_ptr<registry::CredentialProvider> registryLoginProvider(const config::RegistrySettings& entry,
                                                                    const registry::AzureEndpoints& azure) {
  if (!entry.auth) throw std::invalid_argument("registries: entry " + entry.host + " has no auth");
  if (!isAzureLogin(entry)) {
    return std::make_shared<registry::StaticCredentialProvider>(
        resolveRegistryLogins({entry}, azure).credentials.at(entry.host));
  }
  std::vector<std::string> secrets;
  std::shared_ptr<registry::AcrTokenExchanger> exchanger;
  try {
    exchanger = acrExchanger(entry, azure, secrets);
  } catch (const std::exception& e) {
    throw loginError(entry, e);
  }
  auto provider = std::make_shared<ExchangedLogin>(entry, std::move(exchanger));
  provider->credentialFor(entry.host);  // logs in now: a failure is the caller's, before any request
  return provider;
}

void addRegistryLogins(const RunOnceOptions& options, runner::RunRequest& request) {
  for (const auto& entry : options.registries)
    if (entry.insecure) request.insecureRegistries.push_back(entry.host);
  const auto azure = options.azure.value_or(azureEndpoints());
  auto logins = resolveRegistryLogins(options.registries, azure);
  request.logins = std::move(logins.credentials);
  for (auto& value : logins.secretValues) request.secretValues.push_back(std::move(value));
  request.loginsExpiry = logins.expiry;
  if (logins.expiry) {  // ACR refresh tokens: a long run logs in again before they expire
    request.renewLogins = [registries = options.registries, azure] {
      return resolveRegistryLogins(registries, azure);
    };
  }
}

RegistryLogins resolveRegistryLogins(const std::vector<config::RegistrySettings>& registries,
                                     const registry::AzureEndpoints& azure) {
  RegistryLogins logins;
  for (const auto& entry : registries) {
    if (!entry.auth) continue;
    registry::Credential credential;
    try {
      if (isAzureLogin(entry)) {
        credential = acrExchanger(entry, azure, logins.secretValues)->credential();
      } else {
        credential.username = entry.auth->username;
        credential.password = readPassword(entry.auth->passwordFile, entry.auth->passwordEnv);
      }
    } catch (const std::exception& e) {
      throw loginError(entry, e);
    }
    for (const auto* value : {&credential.password, &credential.identityToken})
      if (!value->empty()) logins.secretValues.push_back(*value);
    if (const auto expiry = registry::jwtExpiry(credential.identityToken))  // ACR refresh tokens
      logins.expiry = logins.expiry ? std::min(*logins.expiry, *expiry) : *expiry;
    logins.credentials[entry.host] = std::move(credential);
  }
  return logins;
}

}  // namespace hangar::agent
