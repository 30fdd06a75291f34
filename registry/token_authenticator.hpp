#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "registry/auth_challenge.hpp"
#include "registry/credential_provider.hpp"
#include "registry/http_transport.hpp"

namespace hangar::registry {

/// The `exp` claim of a JWT (payload base64url-decoded, signature not verified), or nullopt when the
/// token is not a JWT or has no numeric exp.
std::optional<std::chrono::system_clock::time_point> jwtExpiry(const std::string& token);

/// Authenticates requests to one registry host: anonymous, Basic, or the bearer challenge flow (Docker
/// token spec / OAuth2 refresh-token grant) with a token cache keyed by (realm, service, scope) and
/// expiry from `expires_in` or the JWT `exp`, refreshed before expiry. A request asks for the scope its
/// caller names (plus what a challenge to that scope once added); a refused token is dropped from the
/// cache. Safe to use from several threads.
class TokenAuthenticator {
 public:
  /// `credentials` may be null (anonymous). `host` is "host[:port]" as the credential source knows it.
  TokenAuthenticator(HttpTransport& transport, std::shared_ptr<CredentialProvider> credentials,
                     std::string host);

  /// Sends `request` with the authorization `scope` needs (e.g. "repository:app:pull"): answers a 401
  /// challenge once (fetching a token), then returns whatever the registry says. Throws HttpError
  /// (transport) or std::runtime_error when the token server refuses (status and error code, never a secret).
  HttpResponse send(HttpRequest request, const std::string& scope);

  /// How many token requests were made (for tests of the cache).
  int tokenRequests() const;

 private:
  struct Token {
    std::string value;
    std::chrono::system_clock::time_point expiry;
    std::chrono::system_clock::time_point refreshAt;
  };

  std::optional<std::string> authorizationFor(const std::string& scope);
  std::string fetchToken(const AuthChallenge& challenge, const std::string& scope);
  std::optional<Credential> credential();

  HttpTransport& transport_;
  std::shared_ptr<CredentialProvider> credentials_;
  std::string host_;
  mutable std::mutex mutex_;
  std::optional<AuthChallenge> challenge_;            // the registry's last Basic or Bearer challenge
  std::map<std::string, Token> tokens_;               // by realm + service + scope
  std::map<std::string, std::string> learnedScopes_;  // a caller's scope -> with what challenges added
  int tokenRequests_ = 0;
};

}  // namespace hangar::registry
