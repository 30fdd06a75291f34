#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace hangar::test {

class PlayAcrRegistry;

/// One request the play server received: header names lower-case; `query` from the URL only, `form`
/// from an application/x-www-form-urlencoded body only.
struct RecordedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> form;
  std::map<std::string, std::string> headers;
  int status = 0;  // the answer's status, for requests to the served ACR registry (serveAcrRegistry)
};

/// A canned answer the next matching requests get instead of the normal one.
struct PlayFailure {
  int status = 500;
  std::string body;
  std::string retryAfter;  // Retry-After header value, when not empty
};

/// A cpp-httplib server on a free 127.0.0.1 port that plays Azure's token and secret endpoints with their
/// real request/response shapes, for tests that cannot reach Azure:
///  - IMDS: GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=R[&client_id|object_id|
///    msi_res_id] (400 without "Metadata: true" or for an unknown identity);
///  - AAD: POST /{tenant}/oauth2/v2.0/token (client_credentials with a registered client secret or a
///    client assertion signed by a registered certificate);
///  - ACR: POST /oauth2/exchange, POST /oauth2/token, GET /v2/ (401 challenge unless a valid access token),
///    and a PlayAcrRegistry's /acr/v1 and /v2 repository API behind those tokens (serveAcrRegistry);
///  - Key Vault: GET /secrets/{name}[/{version}]?api-version=7.4 with a vault token;
///  - a firewall that answers every ACR and Key Vault request with ACR's 403 "client with IP ... is not
///    allowed access".
/// Tokens are unsigned JWTs (aud, exp, tid, oid/appid claims) the server remembers; it records every
/// request. Thread-safe; starts in the constructor, stops in the destructor.
class AzurePlayServer {
 public:
  AzurePlayServer();
  ~AzurePlayServer();
  AzurePlayServer(const AzurePlayServer&) = delete;
  AzurePlayServer& operator=(const AzurePlayServer&) = delete;

  int port() const;
  /// "http://127.0.0.1:PORT".
  std::string url() const;

  /// The tenant put into tokens and accepted by /oauth2/exchange (default "play-tenant").
  void setTenant(const std::string& tenant);
  /// Managed identities IMDS knows by client id (the system-assigned one always exists).
  void addManagedIdentity(const std::string& clientId);
  /// A service principal AAD accepts: tenant, client id and secret.
  void addServicePrincipal(const std::string& tenant, const std::string& clientId, const std::string& secret);
  /// A service principal AAD accepts with a certificate: its client assertions must be signed by the key
  /// of `certificatePem` and name it by x5t (checked as clientAssertionProblem does).
  void addServicePrincipalCertificate(const std::string& tenant, const std::string& clientId,
                                      const std::string& certificatePem);
  /// The next IMDS requests answer these statuses in order before answering normally again.
  void failNextImdsRequests(std::vector<PlayFailure> failures);
  /// Lifetime of AAD tokens (default 1 h), ACR refresh tokens (3 h) and ACR access tokens (75 min).
  void setLifetimes(std::chrono::seconds aad, std::chrono::seconds acrRefresh,
                    std::chrono::seconds acrAccess);
  /// The registry name ACR uses as `service` (default "playregistry.azurecr.io").
  void setAcrService(const std::string& service);
  /// Makes every refresh token issued so far invalid (/oauth2/token then answers 401).
  void revokeAcrRefreshTokens();
  /// A Key Vault secret: GET /secrets/<name> answers {"value": value, ...}.
  void addSecret(const std::string& name, const std::string& value);
  /// From now on every ACR and Key Vault request gets the firewall 403 naming `clientIp`; "" lifts it.
  void denyClientIp(const std::string& clientIp);

  /// Serves `registry`'s repository API (/v2/<...> but the ping, /acr/v1/...) as ACR does behind its
  /// tokens: a request whose Authorization is not "Bearer T", T an unexpired ACR access token this server
  /// issued for the ACR service with a scope granting PlayAcrRegistry::requiredScope (wildcards as ACR's
  /// `repository:*:*`), gets 401 with `WWW-Authenticate: Bearer realm="URL/oauth2/token",service="S",
  /// scope="..."` and ACR's UNAUTHORIZED body; the firewall (denyClientIp) applies too. nullptr: 404.
  void serveAcrRegistry(std::shared_ptr<PlayAcrRegistry> registry);

  /// Every request received so far, in order.
  std::vector<RecordedRequest> requests() const;
  /// The requests whose path starts with `prefix`.
  std::vector<RecordedRequest> requests(const std::string& prefix) const;
  /// Every token issued so far (AAD, ACR refresh and ACR access tokens), e.g. to look for leaks.
  std::vector<std::string> issuedTokens() const;

  /// An unsigned JWT with these claims (string values) and `exp` = now + lifetime, e.g. to hand-craft
  /// tokens in tests.
  static std::string makeJwt(const std::map<std::string, std::string>& claims, std::chrono::seconds lifetime);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hangar::test
