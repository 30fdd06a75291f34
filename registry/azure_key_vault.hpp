#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/task.hpp"
#include "registry/azure_identity.hpp"

namespace hangar::registry {

/// Resolves a task's `secrets:` from Azure Key Vault: for each, GET {secretUrl}?api-version=7.4 with a
/// bearer token of the managed identity (clientId = user-assigned client id, empty = system-assigned) for
/// the vault's resource (https://vault.azure.net in the public cloud). Secret URLs must be https on a
/// Key Vault host (*.vault.azure.net, .cn, .usgovcloudapi.net, *.managedhsm.azure.net), or http(s) on
/// loopback; endpoints.keyVaultUrlRewrite then redirects them. Up to 8 secrets are fetched at once, each
/// with a 2-minute limit. Returns id -> value. Throws std::runtime_error
/// "failed to resolve secrets: secret '<id>': <reason>" (reasons never hold a value or token).
std::map<std::string, std::string> resolveKeyVaultSecrets(const std::vector<config::SecretSpec>& secrets,
                                                          const AzureEndpoints& endpoints);

/// The same with token and timing options (tests shorten retries and the per-secret limit).
std::map<std::string, std::string> resolveKeyVaultSecrets(const std::vector<config::SecretSpec>& secrets,
                                                          const AzureEndpoints& endpoints,
                                                          const TokenCredentialOptions& tokenOptions,
                                                          std::chrono::milliseconds perSecretTimeout);

/// The AAD resource of a Key Vault secret URL: "https://" + the host without the vault name
/// ("https://vault.azure.net"); loopback hosts give "https://vault.azure.net". Throws std::runtime_error
/// for a URL that is not https on a Key Vault host nor on loopback.
std::string keyVaultResource(std::string_view secretUrl);

}  // namespace hangar::registry
