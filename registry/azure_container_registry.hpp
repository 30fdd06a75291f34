#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "registry/azure_identity.hpp"
#include "registry/credential.hpp"

namespace hangar::registry {

/// The username docker and ACR use with an ACR refresh token.
inline constexpr std::string_view kAcrTokenUsername = "00000000-0000-0000-0000-000000000000";

/// Where and how to talk to one Azure Container Registry.
struct AcrOptions {
  std::string loginServer;  ///< "myregistry.azurecr.io": the `service` of the token requests
  std::string endpoint;     ///< base URL; empty: "https://" + loginServer (tests: http://127.0.0.1:PORT)
  std::string tenantId;     ///< sent as `tenant` to /oauth2/exchange when not empty
  std::string aadResource = "https://containerregistry.azure.net";  ///< audience of the AAD token
  std::chrono::seconds refreshMargin{300};  ///< tokens are renewed this long before their `exp`
  std::chrono::milliseconds requestTimeout{std::chrono::seconds(30)};
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };
};

/// ACR's AAD token exchange: an AAD access token is traded at POST /oauth2/exchange
/// (grant_type=access_token) for an ACR refresh token, which POST /oauth2/token (grant_type=refresh_token)
/// trades for scoped access tokens. Both are cached until `refreshMargin` before their JWT `exp`; the
/// refresh token is re-exchanged (with a fresh AAD token) when it nears expiry or /oauth2/token answers
/// 401. Thread-safe. Errors name the registry and ACR's reason (a firewall denial with a hint), never a
/// token.
class AcrTokenExchanger {
 public:
  /// Throws std::runtime_error when the endpoint is plain http off loopback.
  AcrTokenExchanger(AcrOptions options, std::shared_ptr<TokenCredential> aad);

  /// A valid ACR refresh token.
  std::string refreshToken();
  /// A valid ACR access token for `scope` (space-separated scopes, e.g. "repository:app:pull,push").
  std::string accessToken(const std::string& scope);
  /// The credential for the per-run auth file, as `docker login` stores an ACR AAD login: username
  /// kAcrTokenUsername, empty password, identityToken = the refresh token. Engines that log in with a
  /// password (docker login --password-stdin) use kAcrTokenUsername and identityToken as the password.
  Credential credential();

 private:
  std::string exchangeLocked();
  std::string post(const std::string& path, const std::string& body, const std::string& what, long& status);
  AcrOptions options_;
  std::shared_ptr<TokenCredential> aad_;
  std::mutex mutex_;
  std::string refresh_;
  std::chrono::system_clock::time_point refreshExpiry_{};
  std::map<std::string, std::pair<std::string, std::chrono::system_clock::time_point>> access_;
};

}  // namespace hangar::registry
