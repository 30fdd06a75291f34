#include "registry/azure_key_vault.hpp"

#include <algorithm>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "registry/azure_http.hpp"

namespace hangar::registry {
namespace {

constexpr size_t kBatchSize = 8;

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string rewrite(const std::string& url, const std::string& base) {
  if (base.empty()) return url;
  auto scheme = url.find("://");
  auto path = url.find('/', scheme + 3);
  std::string trimmed = base;
  while (!trimmed.empty() && trimmed.back() == '/') trimmed.pop_back();
  return trimmed + (path == std::string::npos ? "" : url.substr(path));
}

std::string fetchSecret(const config::SecretSpec& spec, const AzureEndpoints& endpoints,
                        TokenCredential& identity, std::chrono::milliseconds timeout) {
  if (spec.keyVault.empty()) throw std::runtime_error("no keyVault URL given");
  auto resource = keyVaultResource(spec.keyVault);
  auto url = rewrite(spec.keyVault, endpoints.keyVaultUrlRewrite);
  requireHttpsOrLoopback(url, "Key Vault");
  auto token = identity.getToken(resource);
  AzureHttpRequest request;
  request.url = url + (url.find('?') == std::string::npos ? "?" : "&") + "api-version=7.4";
  request.headers = {"Authorization: Bearer " + token.token, "Accept: application/json"};
  request.timeout = timeout;
  auto response = sendAzureRequest(request);
  if (response.status != 200) {
    throw std::runtime_error("Key Vault " + urlForMessages(url) + " answered " + azureErrorReason(response));
  }
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (!json.is_object() || !json.contains("value") || !json["value"].is_string()) {
    throw std::runtime_error("Key Vault " + urlForMessages(url) + " answered without a string value");
  }
  return json["value"].get<std::string>();
}

}  // namespace

std::string keyVaultResource(std::string_view secretUrl) {
  auto host = urlHost(secretUrl);
  auto scheme = secretUrl.substr(0, secretUrl.find("://"));
  if (!host.empty() && isLoopbackHost(host) && (scheme == "http" || scheme == "https"))
    return "https://vault.azure.net";
  static const std::vector<std::string_view> suffixes = {".vault.azure.net", ".vault.azure.cn",
                                                         ".vault.usgovcloudapi.net",
                                                         ".vault.microsoftazure.de", ".managedhsm.azure.net"};
  for (auto suffix : suffixes) {
    if (scheme == "https" && endsWith(host, suffix) && host.size() > suffix.size()) {
      return "https://" + std::string(suffix.substr(1));
    }
  }
  throw std::runtime_error(
      "'" + urlForMessages(secretUrl) +
      "' is not a Key Vault secret URL (https://<vault>.vault.azure.net/secrets/<name>)");
}

std::map<std::string, std::string> resolveKeyVaultSecrets(const std::vector<config::SecretSpec>& secrets,
                                                          const AzureEndpoints& endpoints) {
  return resolveKeyVaultSecrets(secrets, endpoints, TokenCredentialOptions{}, std::chrono::minutes(2));
}

std::map<std::string, std::string> resolveKeyVaultSecrets(const std::vector<config::SecretSpec>& secrets,
                                                          const AzureEndpoints& endpoints,
                                                          const TokenCredentialOptions& tokenOptions,
                                                          std::chrono::milliseconds perSecretTimeout) {
  // One managed-identity credential per client id, so a token is fetched once per identity and vault.
  std::map<std::string, std::shared_ptr<ManagedIdentityCredential>> identities;
  for (const auto& spec : secrets) {
    if (!identities.count(spec.clientId)) {
      identities[spec.clientId] = std::make_shared<ManagedIdentityCredential>(
          endpoints.imdsUrl, ManagedIdentityId::byClientId(spec.clientId), tokenOptions);
    }
  }
  std::map<std::string, std::string> values;
  for (size_t start = 0; start < secrets.size(); start += kBatchSize) {
    size_t end = std::min(secrets.size(), start + kBatchSize);
    std::vector<std::future<std::string>> batch;
    for (size_t i = start; i < end; ++i) {
      const auto& spec = secrets[i];
      auto identity = identities.at(spec.clientId);
      batch.push_back(std::async(std::launch::async, [&spec, &endpoints, identity, perSecretTimeout] {
        return fetchSecret(spec, endpoints, *identity, perSecretTimeout);
      }));
    }
    std::string firstError;
    for (size_t i = start; i < end; ++i) {
      try {
        values[secrets[i].id] = batch[i - start].get();
      } catch (const std::exception& error) {
        if (firstError.empty())
          firstError = "failed to resolve secrets: secret '" + secrets[i].id + "': " + error.what();
      }
    }
    if (!firstError.empty()) throw std::runtime_error(firstError);
  }
  return values;
}

}  // namespace hangar::registry
