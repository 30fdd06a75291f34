// Debian's cpp-httplib is a compiled library built with these options; they change its types' layout.
#define CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#include "tests/support/azure_play_server.hpp"

#include <httplib.h>

#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <thread>

#include "tests/support/client_assertion_check.hpp"
#include "tests/support/play_acr_registry.hpp"

namespace hangar::test {
namespace {

using Clock = std::chrono::system_clock;
using nlohmann::json;

std::string base64Url(std::string_view data) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(data[i]) << 16) |
                 (static_cast<unsigned char>(data[i + 1]) << 8) | static_cast<unsigned char>(data[i + 2]);
    out += {alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], alphabet[v & 63]};
  }
  if (data.size() - i == 1) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    out += {alphabet[v >> 18], alphabet[(v >> 12) & 63]};
  } else if (data.size() - i == 2) {
    unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8);
    out += {alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63]};
  }
  return out;
}

std::string percentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parsePairs(std::string_view text) {
  std::map<std::string, std::string> out;
  while (!text.empty()) {
    auto amp = text.find('&');
    auto pair = text.substr(0, amp);
    auto eq = pair.find('=');
    if (!pair.empty()) {
      out[percentDecode(pair.substr(0, eq))] =
          eq == std::string_view::npos ? "" : percentDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp + 1);
  }
  return out;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void answer(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json; charset=utf-8");
}

std::string bearer(const httplib::Request& req) {
  auto value = req.get_header_value("Authorization");
  return value.rfind("Bearer ", 0) == 0 ? value.substr(7) : "";
}

struct TokenInfo {
  std::string kind;  // "aad", "acr-refresh", "acr-access"
  std::string audience;
  Clock::time_point expires;
  bool revoked = false;
  std::string scope;  // ACR access tokens: the scope asked for at /oauth2/token
};

}  // namespace

struct AzurePlayServer::State {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  mutable std::mutex mutex;
  std::vector<RecordedRequest> recorded;
  std::string tenant = "play-tenant";
  std::set<std::string> identities;
  std::map<std::string, std::pair<std::string, std::string>> principals;  // client id -> tenant, secret
  std::map<std::string, std::pair<std::string, std::string>> certifiedPrincipals;  // client id -> tenant, PEM
  std::deque<PlayFailure> imdsFailures;
  std::chrono::seconds aadLifetime{3600}, refreshLifetime{10800}, accessLifetime{4500};
  std::string service = "playregistry.azurecr.io";
  std::map<std::string, TokenInfo> tokens;
  std::map<std::string, std::string> secrets;
  std::string deniedIp;
  std::shared_ptr<PlayAcrRegistry> registry;
  int counter = 0;

  void record(const httplib::Request& req) {
    RecordedRequest r;
    r.method = req.method;
    r.path = req.path;
    auto q = req.target.find('?');
    if (q != std::string::npos) r.query = parsePairs(std::string_view(req.target).substr(q + 1));
    if (req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0) {
      r.form = parsePairs(req.body);
    }
    for (const auto& [name, value] : req.headers) r.headers[lower(name)] = value;
    recorded.push_back(std::move(r));
  }

  std::string issue(const std::string& kind, std::map<std::string, std::string> claims,
                    std::chrono::seconds life) {
    claims["jti"] = "play-" + std::to_string(++counter);
    auto token = makeJwt(claims, life);
    tokens[token] = TokenInfo{kind, claims.count("aud") ? claims["aud"] : "", Clock::now() + life, false, ""};
    return token;
  }

  const TokenInfo* valid(const std::string& token, const std::string& kind) const {
    auto it = tokens.find(token);
    if (it == tokens.end() || it->second.kind != kind || it->second.revoked ||
        it->second.expires <= Clock::now())
      return nullptr;
    return &it->second;
  }

  bool firewall(httplib::Response& res, bool keyVault) const {
    if (deniedIp.empty()) return false;
    if (keyVault) {
      answer(res, 403,
             {{"error",
               {{"code", "Forbidden"},
                {"message",
                 "Client address is not authorized and caller is not a trusted service.\r\nClient address: " +
                     deniedIp + "\r\nCaller: appid=play\r\nVault: play;location=westeurope"},
                {"innererror", {{"code", "ForbiddenByFirewall"}}}}}});
    } else {
      answer(res, 403,
             {{"errors",
               {{{"code", "DENIED"},
                 {"message",
                  "client with IP '" + deniedIp +
                      "' is not allowed access. Refer https://aka.ms/acr/firewall to grant access."}}}}});
    }
    return true;
  }

  void imds(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    record(req);
    const auto& q = recorded.back().query;
    auto bad = [&](const std::string& description) {
      answer(res, 400, {{"error", "invalid_request"}, {"error_description", description}});
    };
    if (req.get_header_value("Metadata") != "true") return bad("Required metadata header not specified");
    if (!q.count("api-version") || q.at("api-version") != "2018-02-01") return bad("Invalid API version");
    if (!q.count("resource") || q.at("resource").empty())
      return bad("Required query variable 'resource' is missing");
    if (q.count("client_id") + q.count("object_id") + q.count("msi_res_id") > 1) {
      return bad("Only one of client_id, object_id or msi_res_id may be specified");
    }
    if (!imdsFailures.empty()) {
      auto failure = imdsFailures.front();
      imdsFailures.pop_front();
      res.status = failure.status;
      if (!failure.retryAfter.empty()) res.set_header("Retry-After", failure.retryAfter);
      res.set_content(failure.body, "application/json; charset=utf-8");
      return;
    }
    std::string clientId = q.count("client_id") ? q.at("client_id") : "system-assigned-client";
    if (q.count("client_id") && !identities.count(clientId)) return bad("Identity not found");
    auto token = issue("aad", {{"aud", q.at("resource")}, {"tid", tenant}, {"appid", clientId}}, aadLifetime);
    auto now = std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
    answer(res, 200,
           {{"access_token", token},
            {"client_id", clientId},
            {"expires_in", std::to_string(aadLifetime.count())},
            {"expires_on", std::to_string(now + aadLifetime.count())},
            {"ext_expires_in", std::to_string(aadLifetime.count())},
            {"not_before", std::to_string(now)},
            {"resource", q.at("resource")},
            {"token_type", "Bearer"}});
  }

  void aad(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    record(req);
    const auto& form = recorded.back().form;
    auto field = [&](const char* name) { return form.count(name) ? form.at(name) : std::string(); };
    std::string tenantInPath = req.matches[1];
    if (field("grant_type") != "client_credentials") {
      return answer(res, 400,
                    {{"error", "unsupported_grant_type"},
                     {"error_description", "AADSTS70003: The app requested an unsupported grant type."}});
    }
    const auto principal = principals.find(field("client_id"));
    const auto certified = certifiedPrincipals.find(field("client_id"));
    const std::string* registeredTenant = principal != principals.end()            ? &principal->second.first
                                          : certified != certifiedPrincipals.end() ? &certified->second.first
                                                                                   : nullptr;
    if (!registeredTenant || *registeredTenant != tenantInPath) {
      return answer(
          res, 400,
          {{"error", "unauthorized_client"},
           {"error_description", "AADSTS700016: Application with identifier '" + field("client_id") +
                                     "' was not found in the directory '" + tenantInPath + "'."}});
    }
    if (principal != principals.end() && principal->second.second != field("client_secret")) {
      return answer(res, 401,
                    {{"error", "invalid_client"},
                     {"error_description",
                      "AADSTS7000215: Invalid client secret provided. Ensure the secret being "
                      "sent in the request is the client secret value, not the client secret "
                      "ID."}});
    }
    if (principal == principals.end()) {
      if (field("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
        return answer(res, 401,
                      {{"error", "invalid_client"},
                       {"error_description",
                        "AADSTS7000218: The request body must contain the following parameter: "
                        "'client_assertion' or 'client_secret'."}});
      }
      const std::string tokenUrl = "http://127.0.0.1:" + std::to_string(port) + req.path;
      if (auto problem =
              clientAssertionProblem(field("client_assertion"), certified->second.second, field("client_id"),
                                     tokenUrl, std::chrono::system_clock::now())) {
        return answer(res, 401, {{"error", "invalid_client"}, {"error_description", *problem}});
      }
    }
    auto scope = field("scope");
    const std::string suffix = "/.default";
    if (scope.size() <= suffix.size() ||
        scope.compare(scope.size() - suffix.size(), suffix.size(), suffix) != 0) {
      return answer(
          res, 400,
          {{"error", "invalid_scope"},
           {"error_description", "AADSTS1002012: The provided value for scope " + scope +
                                     " is not valid. Client credential flows must have a scope value "
                                     "with /.default suffixed to the resource identifier."}});
    }
    auto token = issue("aad",
                       {{"aud", scope.substr(0, scope.size() - suffix.size())},
                        {"tid", tenantInPath},
                        {"appid", field("client_id")}},
                       aadLifetime);
    answer(res, 200,
           {{"token_type", "Bearer"},
            {"expires_in", aadLifetime.count()},
            {"ext_expires_in", aadLifetime.count()},
            {"access_token", token}});
  }

  static json acrError(const std::string& code, const std::string& message) {
    return {{"errors", {{{"code", code}, {"message", message}}}}};
  }

  void exchange(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    record(req);
    if (firewall(res, false)) return;
    const auto& form = recorded.back().form;
    auto field = [&](const char* name) { return form.count(name) ? form.at(name) : std::string(); };
    if (field("grant_type") != "access_token") {
      return answer(res, 400, acrError("UNSUPPORTED", "grant type not supported"));
    }
    if (field("service") != service) return answer(res, 400, acrError("UNAUTHORIZED", "invalid service"));
    if (!field("tenant").empty() && field("tenant") != tenant) {
      return answer(res, 401, acrError("UNAUTHORIZED", "tenant does not match the access token"));
    }
    const auto* info = valid(field("access_token"), "aad");
    if (info == nullptr || (info->audience.rfind("https://containerregistry.azure.net", 0) != 0 &&
                            info->audience.rfind("https://management.azure.com", 0) != 0)) {
      return answer(res, 401, acrError("UNAUTHORIZED", "invalid access token"));
    }
    auto refresh =
        issue("acr-refresh", {{"aud", service}, {"grant_type", "refresh_token"}, {"tenant", tenant}},
              refreshLifetime);
    answer(res, 200, {{"refresh_token", refresh}});
  }

  void token(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    record(req);
    if (firewall(res, false)) return;
    const auto& form = recorded.back().form;
    auto field = [&](const char* name) { return form.count(name) ? form.at(name) : std::string(); };
    if (field("grant_type") != "refresh_token" || field("service") != service) {
      return answer(res, 400, acrError("UNSUPPORTED", "invalid grant type or service"));
    }
    if (valid(field("refresh_token"), "acr-refresh") == nullptr) {
      return answer(res, 401,
                    acrError("UNAUTHORIZED",
                             "authentication required, visit https://aka.ms/acr/authorization "
                             "for more information."));
    }
    auto access =
        issue("acr-access", {{"aud", service}, {"grant_type", "access_token"}, {"scope", field("scope")}},
              accessLifetime);
    tokens[access].scope = field("scope");
    answer(res, 200, {{"access_token", access}});
  }

  // The served ACR registry's API behind ACR's access tokens (serveAcrRegistry).
  void acrRegistry(const httplib::Request& req, httplib::Response& res) {
    std::shared_ptr<PlayAcrRegistry> served;
    size_t index = 0;
    {
      std::lock_guard lock(mutex);
      record(req);
      index = recorded.size() - 1;
      served = registry;
      const auto scope = PlayAcrRegistry::requiredScope(req.method, req.path);
      const auto* info = valid(bearer(req), "acr-access");
      bool answered = firewall(res, false);
      if (!answered && !served) {
        answer(res, 404, acrError("NAME_UNKNOWN", "repository name not known to registry"));
        answered = true;
      } else if (!answered && (info == nullptr || info->audience != service ||
                               (!scope.empty() && !PlayAcrRegistry::scopeGrants(info->scope, scope)))) {
        res.set_header("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:" + std::to_string(port) +
                                               "/oauth2/token\",service=\"" + service + "\"" +
                                               (scope.empty() ? "" : ",scope=\"" + scope + "\""));
        answer(res, 401,
               acrError(
                   "UNAUTHORIZED",
                   "authentication required, visit https://aka.ms/acr/authorization for more information."));
        answered = true;
      }
      if (answered) {
        recorded[index].status = res.status;
        return;
      }
    }
    PlayAcrRequest request{req.method, req.path, {}, req.body};
    for (const auto& [name, value] : req.params) request.query[name] = value;
    const auto response = served->handle(request);
    res.status = response.status;
    for (const auto& [name, value] : response.headers) res.set_header(name, value);
    if (!response.body.empty()) res.set_content(response.body, response.contentType);
    std::lock_guard lock(mutex);
    recorded[index].status = response.status;
  }

  void v2(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    record(req);
    if (firewall(res, false)) return;
    if (valid(bearer(req), "acr-access") != nullptr) return answer(res, 200, json::object());
    res.set_header("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:" + std::to_string(port) +
                                           "/oauth2/token\",service=\"" + service + "\"");
    answer(res, 401, acrError("UNAUTHORIZED", "authentication required"));
  }

  void secret(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    record(req);
    if (firewall(res, true)) return;
    const auto& q = recorded.back().query;
    if (!q.count("api-version")) {
      return answer(
          res, 400,
          {{"error", {{"code", "BadParameter"}, {"message", "The request URI contains an invalid name: "}}}});
    }
    auto token = bearer(req);
    if (token.empty()) {
      res.set_header("WWW-Authenticate", "Bearer authorization=\"https://login.microsoftonline.com/" +
                                             tenant + "\", resource=\"https://vault.azure.net\"");
      return answer(res, 401,
                    {{"error",
                      {{"code", "Unauthorized"},
                       {"message",
                        "AKV10000: Request is missing a Bearer or PoP "
                        "token."}}}});
    }
    const auto* info = valid(token, "aad");
    if (info == nullptr ||
        (info->audience != "https://vault.azure.net" && info->audience != "https://vault.azure.net/")) {
      return answer(
          res, 401,
          {{"error", {{"code", "Unauthorized"}, {"message", "AKV10022: Invalid audience or token."}}}});
    }
    std::string name = req.matches[1];
    auto it = secrets.find(name);
    if (it == secrets.end()) {
      return answer(
          res, 404,
          {{"error",
            {{"code", "SecretNotFound"},
             {"message", "A secret with (name/id) " + name +
                             " was not found in this key vault. If you recently deleted this secret you may "
                             "be able to recover it using the correct recovery command."}}}});
    }
    std::string base = "http://127.0.0.1:" + std::to_string(port);
    answer(res, 200,
           {{"value", it->second},
            {"id", base + "/secrets/" + name + "/0123456789abcdef0123456789abcdef"},
            {"attributes",
             {{"enabled", true},
              {"created", 1700000000},
              {"updated", 1700000000},
              {"recoveryLevel", "Recoverable"}}},
            {"tags", json::object()}});
  }
};

AzurePlayServer::AzurePlayServer() : state_(std::make_unique<State>()) {
  auto* s = state_.get();
  s->server.Get("/metadata/identity/oauth2/token",
                [s](const httplib::Request& req, httplib::Response& res) { s->imds(req, res); });
  s->server.Post(R"(/([^/]+)/oauth2/v2\.0/token)",
                 [s](const httplib::Request& req, httplib::Response& res) { s->aad(req, res); });
  s->server.Post("/oauth2/exchange",
                 [s](const httplib::Request& req, httplib::Response& res) { s->exchange(req, res); });
  s->server.Post("/oauth2/token",
                 [s](const httplib::Request& req, httplib::Response& res) { s->token(req, res); });
  // An anonymous token request (GET, no credentials): ACR without anonymous pull refuses it.
  s->server.Get("/oauth2/token", [s](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(s->mutex);
    s->record(req);
    answer(res, 401,
           State::acrError("UNAUTHORIZED",
                           "authentication required, visit https://aka.ms/acr/authorization for more "
                           "information."));
  });
  s->server.Get("/v2/", [s](const httplib::Request& req, httplib::Response& res) { s->v2(req, res); });
  const auto registry = [s](const httplib::Request& req, httplib::Response& res) {
    s->acrRegistry(req, res);
  };
  s->server.Get(R"(/(acr/v1/.+|v2/.+))", registry);
  s->server.Delete(R"(/(acr/v1/.+|v2/.+))", registry);
  s->server.Patch(R"(/(acr/v1/.+|v2/.+))", registry);
  s->server.Get(R"(/secrets/([^/]+)(/[^/]+)?)",
                [s](const httplib::Request& req, httplib::Response& res) { s->secret(req, res); });
  s->port = s->server.bind_to_any_port("127.0.0.1");
  if (s->port <= 0) throw std::runtime_error("AzurePlayServer: cannot bind a port on 127.0.0.1");
  s->thread = std::thread([s] { s->server.listen_after_bind(); });
  // stop() only ends a server that is already running: wait for that (with a deadline) so the
  // destructor can always stop it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!s->server.is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      s->server.stop();
      s->thread.detach();
      throw std::runtime_error("AzurePlayServer: the server thread did not start within 10 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

AzurePlayServer::~AzurePlayServer() {
  state_->server.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

int AzurePlayServer::port() const { return state_->port; }
std::string AzurePlayServer::url() const { return "http://127.0.0.1:" + std::to_string(state_->port); }

void AzurePlayServer::setTenant(const std::string& tenant) {
  std::lock_guard lock(state_->mutex);
  state_->tenant = tenant;
}
void AzurePlayServer::addManagedIdentity(const std::string& clientId) {
  std::lock_guard lock(state_->mutex);
  state_->identities.insert(clientId);
}
void AzurePlayServer::addServicePrincipal(const std::string& tenant, const std::string& clientId,
                                          const std::string& secret) {
  std::lock_guard lock(state_->mutex);
  state_->principals[clientId] = {tenant, secret};
}
void AzurePlayServer::addServicePrincipalCertificate(const std::string& tenant, const std::string& clientId,
                                                     const std::string& certificatePem) {
  std::lock_guard lock(state_->mutex);
  state_->certifiedPrincipals[clientId] = {tenant, certificatePem};
}
void AzurePlayServer::failNextImdsRequests(std::vector<PlayFailure> failures) {
  std::lock_guard lock(state_->mutex);
  state_->imdsFailures.assign(failures.begin(), failures.end());
}
void AzurePlayServer::setLifetimes(std::chrono::seconds aad, std::chrono::seconds acrRefresh,
                                   std::chrono::seconds acrAccess) {
  std::lock_guard lock(state_->mutex);
  state_->aadLifetime = aad;
  state_->refreshLifetime = acrRefresh;
  state_->accessLifetime = acrAccess;
}
void AzurePlayServer::setAcrService(const std::string& service) {
  std::lock_guard lock(state_->mutex);
  state_->service = service;
}
void AzurePlayServer::revokeAcrRefreshTokens() {
  std::lock_guard lock(state_->mutex);
  for (auto& [token, info] : state_->tokens) {
    if (info.kind == "acr-refresh") info.revoked = true;
  }
}
void AzurePlayServer::addSecret(const std::string& name, const std::string& value) {
  std::lock_guard lock(state_->mutex);
  state_->secrets[name] = value;
}
void AzurePlayServer::serveAcrRegistry(std::shared_ptr<PlayAcrRegistry> registry) {
  std::lock_guard lock(state_->mutex);
  state_->registry = std::move(registry);
}
void AzurePlayServer::denyClientIp(const std::string& clientIp) {
  std::lock_guard lock(state_->mutex);
  state_->deniedIp = clientIp;
}

std::vector<RecordedRequest> AzurePlayServer::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->recorded;
}

std::vector<std::string> AzurePlayServer::issuedTokens() const {
  std::lock_guard lock(state_->mutex);
  std::vector<std::string> tokens;
  for (const auto& [token, info] : state_->tokens) tokens.push_back(token);
  return tokens;
}

std::vector<RecordedRequest> AzurePlayServer::requests(const std::string& prefix) const {
  std::lock_guard lock(state_->mutex);
  std::vector<RecordedRequest> out;
  for (const auto& r : state_->recorded) {
    if (r.path.rfind(prefix, 0) == 0) out.push_back(r);
  }
  return out;
}

std::string AzurePlayServer::makeJwt(const std::map<std::string, std::string>& claims,
                                     std::chrono::seconds lifetime) {
  json payload = json::object();
  for (const auto& [name, value] : claims) payload[name] = value;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
  payload["iat"] = now;
  payload["nbf"] = now;
  payload["exp"] = now + lifetime.count();
  json header = {{"alg", "none"}, {"typ", "JWT"}};
  return base64Url(header.dump()) + "." + base64Url(payload.dump()) + "." + base64Url("play-signature");
}

}  // namespace hangar::test
