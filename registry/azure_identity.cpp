#include "registry/azure_identity.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <thread>

#include "registry/azure_http.hpp"

namespace hangar::registry {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::system_clock;

std::string trimSlash(std::string text) {
  while (!text.empty() && text.back() == '/') text.pop_back();
  return text;
}

void sleepFor(const TokenCredentialOptions& options, milliseconds delay) {
  if (options.sleep) {
    options.sleep(delay);
  } else {
    std::this_thread::sleep_for(delay);
  }
}

milliseconds jittered(milliseconds delay, double jitter) {
  if (jitter <= 0) return delay;
  thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_real_distribution<double> factor(1.0 - jitter, 1.0 + jitter);
  return milliseconds(static_cast<milliseconds::rep>(static_cast<double>(delay.count()) * factor(random)));
}

// Seconds as a JSON number or a string of digits (IMDS sends strings, AAD numbers).
std::optional<long long> seconds(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<long long>();
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (!text.empty() &&
        std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
      return std::stoll(text);
  }
  return std::nullopt;
}

// Reads access_token and its expiry (expires_on epoch seconds, else now + expires_in).
AccessToken parseTokenResponse(const std::string& body, Clock::time_point now, const std::string& source) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object() || !json.contains("access_token") || !json["access_token"].is_string() ||
      json["access_token"].get_ref<const std::string&>().empty()) {
    throw std::runtime_error(source + " answered without an access_token");
  }
  AccessToken token{json["access_token"].get<std::string>(), {}};
  if (auto on = json.contains("expires_on") ? seconds(json["expires_on"]) : std::nullopt) {
    token.expiresOn = Clock::time_point(std::chrono::seconds(*on));
  } else if (auto in = json.contains("expires_in") ? seconds(json["expires_in"]) : std::nullopt) {
    token.expiresOn = now + std::chrono::seconds(*in);
  } else {
    throw std::runtime_error(source + " answered without expires_on or expires_in");
  }
  return token;
}

bool fresh(const AccessToken& token, Clock::time_point now, std::chrono::seconds margin) {
  return token.expiresOn - margin > now;
}

bool retryableImdsStatus(long status) {
  return status == 404 || status == 410 || status == 429 || status >= 500;
}

}  // namespace

std::string scopeForResource(std::string_view resource) {
  return trimSlash(std::string(resource)) + "/.default";
}

ManagedIdentityCredential::ManagedIdentityCredential(std::string imdsUrl, ManagedIdentityId identity,
                                                     TokenCredentialOptions options)
    : imdsUrl_(trimSlash(std::move(imdsUrl))), identity_(std::move(identity)), options_(std::move(options)) {
  int set = !identity_.clientId.empty() + !identity_.objectId.empty() + !identity_.resourceId.empty();
  if (set > 1) {
    throw std::invalid_argument(
        "a managed identity is named by one of client id, object id or resource id, not " +
        std::to_string(set));
  }
}

AccessToken ManagedIdentityCredential::getToken(std::string_view resource) {
  std::lock_guard lock(mutex_);
  auto now = options_.now();
  if (auto it = cache_.find(resource); it != cache_.end() && fresh(it->second, now, options_.refreshMargin)) {
    return it->second;
  }
  auto token = fetch(resource);
  cache_[std::string(resource)] = token;
  return token;
}

AccessToken ManagedIdentityCredential::fetch(std::string_view resource) {
  std::string url =
      imdsUrl_ + "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + urlEncode(resource);
  std::string which = "system-assigned managed identity";
  if (!identity_.clientId.empty()) {
    url += "&client_id=" + urlEncode(identity_.clientId);
    which = "managed identity with client id " + identity_.clientId;
  } else if (!identity_.objectId.empty()) {
    url += "&object_id=" + urlEncode(identity_.objectId);
    which = "managed identity with object id " + identity_.objectId;
  } else if (!identity_.resourceId.empty()) {
    url += "&msi_res_id=" + urlEncode(identity_.resourceId);
    which = "managed identity " + identity_.resourceId;
  }
  std::string context =
      "token for " + std::string(resource) + " from the " + which + " (IMDS " + imdsUrl_ + ")";
  const auto& retry = options_.retry;
  milliseconds waited{0};
  int unreachable = 0;
  for (int attempt = 1;; ++attempt) {
    bool last = attempt >= std::max(1, retry.maxAttempts);
    AzureHttpRequest request;
    request.url = url;
    request.headers = {"Metadata: true"};
    request.timeout = options_.requestTimeout;
    request.connectTimeout = std::chrono::seconds(3);  // link-local IMDS answers at once when it exists
    request.bypassProxy = true;
    AzureHttpResponse response;
    std::string failure;
    try {
      response = sendAzureRequest(request);
    } catch (const std::runtime_error& error) {
      failure = error.what();
      // Off Azure nothing answers: give up after a second try instead of the whole retry budget.
      if (++unreachable >= 2) last = true;
    }
    if (failure.empty() && response.status == 200)
      return parseTokenResponse(response.body, options_.now(), "IMDS");
    if (failure.empty()) {
      failure = azureErrorReason(response);
      if (!retryableImdsStatus(response.status))
        throw std::runtime_error("cannot get a " + context + ": " + failure);
    }
    if (last) {
      throw std::runtime_error("cannot get a " + context + " after " + std::to_string(attempt) +
                               " attempts: " + failure);
    }
    milliseconds delay =
        std::min<milliseconds>(retry.maxDelay, retry.initialDelay * (1LL << std::min(attempt - 1, 20)));
    delay = jittered(delay, retry.jitter);
    if (response.status == 429) {
      auto after = response.headers.find("retry-after");
      if (after != response.headers.end() && !after->second.empty() &&
          std::all_of(after->second.begin(), after->second.end(),
                      [](unsigned char c) { return std::isdigit(c); })) {
        delay = std::min<milliseconds>(retry.maxDelay, std::chrono::seconds(std::stoll(after->second)));
      }
    } else if (response.status == 410) {
      int left = std::max(1, retry.maxAttempts) - attempt;
      auto remaining = retry.goneBudget - waited;
      if (remaining.count() > 0) delay = std::max(delay, milliseconds(remaining.count() / left));
    }
    waited += delay;
    sleepFor(options_, delay);
  }
}

ServicePrincipalCredential::ServicePrincipalCredential(std::string authorityHost, std::string tenantId,
                                                       std::string clientId, TokenCredentialOptions options)
    : authorityHost_(trimSlash(std::move(authorityHost))),
      tenantId_(std::move(tenantId)),
      clientId_(std::move(clientId)),
      options_(std::move(options)) {
  requireHttpsOrLoopback(authorityHost_, "AAD authority");
  if (tenantId_.empty() || clientId_.empty()) {
    throw std::invalid_argument("a service principal needs a tenant id and a client id");
  }
}

AccessToken ServicePrincipalCredential::getToken(std::string_view resource) {
  std::lock_guard lock(mutex_);
  auto now = options_.now();
  if (auto it = cache_.find(resource); it != cache_.end() && fresh(it->second, now, options_.refreshMargin)) {
    return it->second;
  }
  auto token = fetch(resource);
  cache_[std::string(resource)] = token;
  return token;
}

AccessToken ServicePrincipalCredential::fetch(std::string_view resource) {
  AzureHttpRequest request;
  request.method = "POST";
  request.url = authorityHost_ + "/" + urlEncode(tenantId_) + "/oauth2/v2.0/token";
  request.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
  std::string context = "cannot get a token for " + std::string(resource) + " for service principal " +
                        clientId_ + " in tenant " + tenantId_ + " with its " + proofName() + " (" +
                        urlForMessages(request.url) + ")";
  std::vector<std::pair<std::string, std::string>> fields{{"grant_type", "client_credentials"},
                                                          {"client_id", clientId_}};
  try {
    for (auto& field : proof(request.url, options_.now())) fields.push_back(std::move(field));
  } catch (const std::exception& error) {
    throw std::runtime_error(context + ": " + error.what());
  }
  fields.emplace_back("scope", scopeForResource(resource));
  request.body = formEncode(fields);
  request.timeout = options_.requestTimeout;
  AzureHttpResponse response;
  try {
    response = sendAzureRequest(request);
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(context + ": " + error.what());
  }
  if (response.status != 200) throw std::runtime_error(context + ": " + azureErrorReason(response));
  return parseTokenResponse(response.body, options_.now(), "AAD");
}

ClientSecretCredential::ClientSecretCredential(std::string authorityHost, std::string tenantId,
                                               std::string clientId, std::string clientSecret,
                                               TokenCredentialOptions options)
    : ServicePrincipalCredential(std::move(authorityHost), std::move(tenantId), std::move(clientId),
                                 std::move(options)),
      clientSecret_(std::move(clientSecret)) {}

std::vector<std::pair<std::string, std::string>> ClientSecretCredential::proof(
    const std::string&, std::chrono::system_clock::time_point) const {
  return {{"client_secret", clientSecret_}};
}

}  // namespace hangar::registry
