#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hangar::registry {

/// Where the Azure services live; every one can point at loopback for tests.
struct AzureEndpoints {
  std::string imdsUrl = "http://169.254.169.254";
  std::string authorityHost = "https://login.microsoftonline.com";
  /// When set, the scheme://host[:port] of every Key Vault secret URL is replaced by this base
  /// (e.g. "http://127.0.0.1:PORT"), after the original URL was checked to name a Key Vault.
  std::string keyVaultUrlRewrite;
};

/// An access token and the moment it stops being valid. Never logged.
struct AccessToken {
  std::string token;
  std::chrono::system_clock::time_point expiresOn;
};

/// Something that hands out Azure AD access tokens for a resource ("https://vault.azure.net", ...).
class TokenCredential {
 public:
  virtual ~TokenCredential() = default;
  /// A token for `resource`, from the cache while it is valid for more than the refresh margin. Throws
  /// std::runtime_error with a reason (never a token or secret) when none can be had.
  virtual AccessToken getToken(std::string_view resource) = 0;
};

/// How IMDS requests are retried: 404 (identity not there yet), 410 (IMDS updating: retried until at
/// least `goneBudget` has been waited in all), 429 (Retry-After honoured) and 5xx, with exponential
/// backoff and jitter; any other status fails at once. Connection errors are retried too.
struct ImdsRetryPolicy {
  int maxAttempts = 6;
  std::chrono::milliseconds initialDelay{800};
  std::chrono::milliseconds maxDelay{std::chrono::seconds(30)};
  std::chrono::milliseconds goneBudget{std::chrono::seconds(70)};
  double jitter = 0.2;  // each delay is scaled by a random factor in [1 - jitter, 1 + jitter]
};

/// Which managed identity to use: system-assigned when all are empty, else exactly one of them.
struct ManagedIdentityId {
  std::string clientId;
  std::string objectId;
  std::string resourceId;  // ARM resource id, sent as msi_res_id

  static ManagedIdentityId systemAssigned() { return {}; }
  static ManagedIdentityId byClientId(std::string id) { return {std::move(id), "", ""}; }
  static ManagedIdentityId byObjectId(std::string id) { return {"", std::move(id), ""}; }
  static ManagedIdentityId byResourceId(std::string id) { return {"", "", std::move(id)}; }
};

/// Knobs shared by the credentials: clock, sleeping (tests record delays), cache margin, timeout.
struct TokenCredentialOptions {
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };
  std::function<void(std::chrono::milliseconds)> sleep;  // empty: std::this_thread::sleep_for
  std::chrono::seconds refreshMargin{300};               // tokens are renewed this long before expiry
  std::chrono::milliseconds requestTimeout{std::chrono::seconds(30)};
  ImdsRetryPolicy retry;
};

/// Tokens of a VM's managed identity from IMDS: GET {imdsUrl}/metadata/identity/oauth2/token?
/// api-version=2018-02-01&resource=R[&client_id=|&object_id=|&msi_res_id=] with "Metadata: true",
/// never through a proxy, cached per resource until shortly before expiry. Thread-safe.
class ManagedIdentityCredential : public TokenCredential {
 public:
  /// Throws std::invalid_argument when more than one field of `identity` is set.
  ManagedIdentityCredential(std::string imdsUrl, ManagedIdentityId identity,
                            TokenCredentialOptions options = {});
  AccessToken getToken(std::string_view resource) override;

 private:
  AccessToken fetch(std::string_view resource);
  std::string imdsUrl_;
  ManagedIdentityId identity_;
  TokenCredentialOptions options_;
  std::mutex mutex_;
  std::map<std::string, AccessToken, std::less<>> cache_;
};

/// Tokens of a service principal from AAD: POST {authorityHost}/{tenant}/oauth2/v2.0/token with
/// grant_type=client_credentials, client_id, scope=<resource>/.default and the fields by which the subclass
/// proves the client's identity; cached per resource until shortly before expiry. Thread-safe.
class ServicePrincipalCredential : public TokenCredential {
 public:
  AccessToken getToken(std::string_view resource) override;

 protected:
  /// Throws std::invalid_argument without a tenant or client id, or for a plain-HTTP non-loopback authority.
  ServicePrincipalCredential(std::string authorityHost, std::string tenantId, std::string clientId,
                             TokenCredentialOptions options);
  /// The form fields proving the client's identity to `tokenUrl` at `now` (never logged).
  virtual std::vector<std::pair<std::string, std::string>> proof(
      const std::string& tokenUrl, std::chrono::system_clock::time_point now) const = 0;
  /// What proves the identity, for error messages ("client secret", "certificate ...").
  virtual std::string proofName() const = 0;
  const std::string& clientId() const { return clientId_; }

 private:
  AccessToken fetch(std::string_view resource);
  std::string authorityHost_;
  std::string tenantId_;
  std::string clientId_;
  TokenCredentialOptions options_;
  std::mutex mutex_;
  std::map<std::string, AccessToken, std::less<>> cache_;
};

/// A service principal that proves itself with a client secret (form field client_secret).
class ClientSecretCredential final : public ServicePrincipalCredential {
 public:
  ClientSecretCredential(std::string authorityHost, std::string tenantId, std::string clientId,
                         std::string clientSecret, TokenCredentialOptions options = {});

 private:
  std::vector<std::pair<std::string, std::string>> proof(
      const std::string& tokenUrl, std::chrono::system_clock::time_point now) const override;
  std::string proofName() const override { return "client secret"; }
  std::string clientSecret_;
};

/// The AAD scope for a resource: "<resource>/.default" (one slash).
std::string scopeForResource(std::string_view resource);

}  // namespace hangar::registry
