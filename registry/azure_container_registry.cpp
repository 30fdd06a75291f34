#include "registry/azure_container_registry.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "registry/azure_http.hpp"
#include "registry/token_authenticator.hpp"

namespace hangar::registry {
namespace {

using Clock = std::chrono::system_clock;

std::string trimSlash(std::string text) {
  while (!text.empty() && text.back() == '/') text.pop_back();
  return text;
}

}  // namespace

AcrTokenExchanger::AcrTokenExchanger(AcrOptions options, std::shared_ptr<TokenCredential> aad)
    : options_(std::move(options)), aad_(std::move(aad)) {
  if (options_.loginServer.empty()) throw std::invalid_argument("an ACR token exchange needs a login server");
  if (!aad_) throw std::invalid_argument("an ACR token exchange needs an AAD token source");
  if (options_.endpoint.empty()) options_.endpoint = "https://" + options_.loginServer;
  options_.endpoint = trimSlash(options_.endpoint);
  requireHttpsOrLoopback(options_.endpoint, "ACR");
}

std::string AcrTokenExchanger::post(const std::string& path, const std::string& body, const std::string& what,
                                    long& status) {
  AzureHttpRequest request;
  request.method = "POST";
  request.url = options_.endpoint + path;
  request.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
  request.body = body;
  request.timeout = options_.requestTimeout;
  std::string context = "ACR " + options_.loginServer + ": " + what;
  AzureHttpResponse response;
  try {
    response = sendAzureRequest(request);
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(context + " failed: " + error.what());
  }
  status = response.status;
  if (response.status != 200) {
    if (response.status == 401) return {};
    throw std::runtime_error(context + " failed: " + azureErrorReason(response));
  }
  return response.body;
}

std::string AcrTokenExchanger::exchangeLocked() {
  auto aad = aad_->getToken(options_.aadResource);
  std::vector<std::pair<std::string, std::string>> fields = {{"grant_type", "access_token"},
                                                             {"service", options_.loginServer}};
  if (!options_.tenantId.empty()) fields.emplace_back("tenant", options_.tenantId);
  fields.emplace_back("access_token", aad.token);
  long status = 0;
  auto body =
      post("/oauth2/exchange", formEncode(fields), "exchanging the AAD token for a refresh token", status);
  if (status == 401) {
    throw std::runtime_error(
        "ACR " + options_.loginServer +
        ": the AAD token was refused by /oauth2/exchange (HTTP 401): check the identity's role "
        "on the registry and the tenant");
  }
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object() || !json.contains("refresh_token") || !json["refresh_token"].is_string()) {
    throw std::runtime_error("ACR " + options_.loginServer +
                             ": /oauth2/exchange answered without a refresh_token");
  }
  refresh_ = json["refresh_token"].get<std::string>();
  // ACR refresh tokens last about 3 hours; without a readable exp assume one hour.
  refreshExpiry_ = jwtExpiry(refresh_).value_or(options_.now() + std::chrono::hours(1));
  access_.clear();
  return refresh_;
}

std::string AcrTokenExchanger::refreshToken() {
  std::lock_guard lock(mutex_);
  if (!refresh_.empty() && refreshExpiry_ - options_.refreshMargin > options_.now()) return refresh_;
  return exchangeLocked();
}

std::string AcrTokenExchanger::accessToken(const std::string& scope) {
  std::lock_guard lock(mutex_);
  auto now = options_.now();
  if (auto it = access_.find(scope);
      it != access_.end() && it->second.second - options_.refreshMargin > now) {
    return it->second.first;
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (refresh_.empty() || refreshExpiry_ - options_.refreshMargin <= options_.now() || attempt == 1) {
      exchangeLocked();
    }
    long status = 0;
    auto body = post("/oauth2/token",
                     formEncode({{"grant_type", "refresh_token"},
                                 {"service", options_.loginServer},
                                 {"scope", scope},
                                 {"refresh_token", refresh_}}),
                     "getting an access token for scope '" + scope + "'", status);
    if (status == 401) continue;  // refresh token refused: exchange again once
    auto json = nlohmann::json::parse(body, nullptr, false);
    if (!json.is_object() || !json.contains("access_token") || !json["access_token"].is_string()) {
      throw std::runtime_error("ACR " + options_.loginServer +
                               ": /oauth2/token answered without an access_token");
    }
    auto token = json["access_token"].get<std::string>();
    access_[scope] = {token, jwtExpiry(token).value_or(options_.now() + std::chrono::minutes(10))};
    return token;
  }
  throw std::runtime_error("ACR " + options_.loginServer +
                           ": /oauth2/token refused a freshly exchanged refresh token "
                           "(HTTP 401) for scope '" +
                           scope + "'");
}

Credential AcrTokenExchanger::credential() {
  return Credential{std::string(kAcrTokenUsername), "", refreshToken()};
}

}  // namespace hangar::registry
