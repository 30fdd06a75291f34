#include "registry/token_authenticator.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "config/base64.hpp"

namespace hangar::registry {
namespace {

using Clock = std::chrono::system_clock;

std::string urlEncode(const std::string& text) {
  char* escaped = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
  std::string out = escaped ? escaped : "";
  curl_free(escaped);
  return out;
}

// The scopes of `a` and `b` (space-separated lists), without duplicates, in order.
std::string mergeScopes(const std::string& a, const std::string& b) {
  std::vector<std::string> scopes;
  for (const std::string* list : {&a, &b}) {
    std::istringstream in(*list);
    for (std::string scope; in >> scope;) {
      if (std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) scopes.push_back(scope);
    }
  }
  std::string out;
  for (const auto& scope : scopes) out += (out.empty() ? "" : " ") + scope;
  return out;
}

// "UNAUTHORIZED: message" from a registry/token-server error body, without echoing anything else.
std::string errorSummary(const HttpResponse& response) {
  try {
    const auto body = nlohmann::json::parse(response.body);
    if (body.contains("errors") && body["errors"].is_array() && !body["errors"].empty()) {
      const auto& e = body["errors"][0];
      return e.value("code", "") + ": " + e.value("message", "");
    }
    if (body.contains("error")) return body.value("error", "") + ": " + body.value("error_description", "");
  } catch (const nlohmann::json::exception&) {
  }
  return "";
}

}  // namespace

std::optional<Clock::time_point> jwtExpiry(const std::string& token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first == std::string::npos ? 0 : first + 1);
  if (first == std::string::npos || second == std::string::npos) return std::nullopt;
  const auto payload = config::decodeBase64Url(token.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  try {
    const auto claims = nlohmann::json::parse(*payload);
    if (!claims.contains("exp") || !claims["exp"].is_number()) return std::nullopt;
    return Clock::time_point(std::chrono::seconds(claims["exp"].get<long long>()));
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

TokenAuthenticator::TokenAuthenticator(HttpTransport& transport,
                                       std::shared_ptr<CredentialProvider> credentials, std::string host)
    : transport_(transport), credentials_(std::move(credentials)), host_(std::move(host)) {}

int TokenAuthenticator::tokenRequests() const {
  std::lock_guard lock(mutex_);
  return tokenRequests_;
}

std::optional<Credential> TokenAuthenticator::credential() {
  if (!credentials_) return std::nullopt;
  return credentials_->credentialFor(host_);
}

std::optional<std::string> TokenAuthenticator::authorizationFor(const std::string& scope) {
  std::unique_lock lock(mutex_);
  if (!challenge_) return std::nullopt;
  if (challenge_->scheme == "basic") {
    lock.unlock();
    const auto cred = credential();
    if (!cred || (cred->username.empty() && cred->password.empty())) return std::nullopt;
    return "Basic " + config::encodeBase64(cred->username + ":" + cred->password);
  }
  const AuthChallenge challenge = *challenge_;
  // The scopes the caller names, plus any the registry asked for when it challenged this kind of request.
  const auto learned = learnedScopes_.find(scope);
  const std::string wanted = learned == learnedScopes_.end() ? scope : learned->second;
  const std::string key = challenge.param("realm") + "|" + challenge.param("service") + "|" + wanted;
  const auto it = tokens_.find(key);
  if (it != tokens_.end() && Clock::now() < it->second.refreshAt) return "Bearer " + it->second.value;
  lock.unlock();
  return "Bearer " + fetchToken(challenge, wanted);
}

std::string TokenAuthenticator::fetchToken(const AuthChallenge& challenge, const std::string& scope) {
  const std::string realm = challenge.param("realm");
  const std::string service = challenge.param("service");
  if (realm.empty())
    throw std::runtime_error("registry " + host_ + " sent a Bearer challenge without a realm");
  const auto cred = credential();
  HttpRequest request;
  if (cred && !cred->identityToken.empty()) {
    // OAuth2 refresh-token grant (ACR refresh tokens, docker identity tokens).
    request.method = "POST";
    request.url = realm;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.body = "grant_type=refresh_token&client_id=hangar&service=" + urlEncode(service) +
                   "&scope=" + urlEncode(scope) + "&refresh_token=" + urlEncode(cred->identityToken);
  } else {
    request.url =
        realm + (realm.find('?') == std::string::npos ? "?" : "&") + "service=" + urlEncode(service);
    std::istringstream scopes(scope);
    for (std::string one; scopes >> one;) request.url += "&scope=" + urlEncode(one);
    if (cred && (!cred->username.empty() || !cred->password.empty())) {
      request.headers = {
          {"Authorization", "Basic " + config::encodeBase64(cred->username + ":" + cred->password)}};
    }
  }
  {
    std::lock_guard lock(mutex_);
    ++tokenRequests_;
  }
  const auto response = transport_.send(request);
  if (response.status != 200) {
    const std::string detail = errorSummary(response);
    throw std::runtime_error("token request to " + realm + " for registry " + host_ + " failed: HTTP " +
                             std::to_string(response.status) + (detail.empty() ? "" : " (" + detail + ")"));
  }
  Token token;
  long long expiresIn = 0;
  try {
    const auto body = nlohmann::json::parse(response.body);
    token.value = body.value("token", "");
    if (token.value.empty()) token.value = body.value("access_token", "");
    if (body.contains("expires_in") && body["expires_in"].is_number())
      expiresIn = body["expires_in"].get<long long>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error("token server " + realm + " answered with malformed JSON");
  }
  if (token.value.empty()) throw std::runtime_error("token server " + realm + " answered without a token");
  const auto now = Clock::now();
  if (expiresIn > 0) {
    token.expiry = now + std::chrono::seconds(expiresIn);
  } else if (const auto exp = jwtExpiry(token.value)) {
    token.expiry = *exp;
  } else {
    token.expiry = now + std::chrono::seconds(60);  // the Docker token spec's default lifetime
  }
  // Refresh a quarter of the lifetime (at most 5 minutes) before expiry.
  const auto lifetime = std::max(token.expiry - now, Clock::duration::zero());
  token.refreshAt = token.expiry - std::min<Clock::duration>(lifetime / 4, std::chrono::minutes(5));
  std::lock_guard lock(mutex_);
  tokens_[realm + "|" + service + "|" + scope] = token;
  return token.value;
}

HttpResponse TokenAuthenticator::send(HttpRequest request, const std::string& scope) {
  const auto baseHeaders = request.headers;
  const auto sent = authorizationFor(scope);
  if (sent) request.headers.emplace_back("Authorization", *sent);
  HttpResponse response = transport_.send(request);
  if (response.status != 401) return response;
  const auto challenges = parseWwwAuthenticate(response.header("www-authenticate"));
  const auto chosen = std::find_if(challenges.begin(), challenges.end(),
                                   [](const AuthChallenge& c) { return c.scheme == "bearer"; });
  const auto basic = std::find_if(challenges.begin(), challenges.end(),
                                  [](const AuthChallenge& c) { return c.scheme == "basic"; });
  {
    std::lock_guard lock(mutex_);
    if (chosen != challenges.end()) {
      challenge_ = *chosen;
      const std::string asked = chosen->param("scope");
      if (!asked.empty()) {
        const auto learned = learnedScopes_.find(scope);
        learnedScopes_[scope] = mergeScopes(learned == learnedScopes_.end() ? scope : learned->second, asked);
      }
      // The token just sent was refused (revoked, expired early, or too narrow): never send it again.
      if (sent && sent->starts_with("Bearer ")) {
        const std::string value = sent->substr(7);
        std::erase_if(tokens_, [&](const auto& entry) { return entry.second.value == value; });
      }
    } else if (basic != challenges.end()) {
      challenge_ = *basic;
    } else {
      return response;
    }
  }
  request.headers = baseHeaders;
  const auto authorization = authorizationFor(scope);
  if (!authorization) return response;  // anonymous and the registry wants credentials
  request.headers.emplace_back("Authorization", *authorization);
  return transport_.send(request);
}

}  // namespace hangar::registry
