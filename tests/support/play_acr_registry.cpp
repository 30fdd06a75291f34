#include "tests/support/play_acr_registry.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>

#include "tests/support/loopback_server.hpp"

namespace hangar::test {
namespace {

using nlohmann::json;

std::string rfc3339(PlayAcrRegistry::Clock::time_point when) {
  const std::time_t t = PlayAcrRegistry::Clock::to_time_t(when);
  std::tm parts{};
  gmtime_r(&t, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S.5Z", &parts);
  return text;
}

std::string sha256(const std::string& data) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), hash, &size, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < size; ++i) out += {hex[hash[i] >> 4], hex[hash[i] & 15]};
  return out;
}

PlayAcrResponse jsonAnswer(const json& body, int status = 200) {
  PlayAcrResponse response;
  response.status = status;
  response.body = body.dump();
  return response;
}

PlayAcrResponse notFound() {
  return jsonAnswer({{"errors", {{{"code", "NAME_UNKNOWN"}, {"message", "not found"}}}}}, 404);
}

PlayAcrResponse locked() {
  return jsonAnswer({{"errors", {{{"code", "UNSUPPORTED"}, {"message", "locked"}}}}}, 405);
}

const std::regex kTags(R"(/acr/v1/(.+)/_tags)");
const std::regex kTag(R"(/acr/v1/(.+)/_tags/([^/]+))");
const std::regex kManifests(R"(/acr/v1/(.+)/_manifests)");
const std::regex kManifestMeta(R"(/acr/v1/(.+)/_manifests/([^/]+))");
const std::regex kManifest(R"(/v2/(.+)/manifests/([^/]+))");

}  // namespace

bool PlayAcrRegistry::serves(const std::string& path) {
  return path.starts_with("/acr/v1/") || (path.starts_with("/v2/") && path.size() > 4);
}

std::string PlayAcrRegistry::requiredScope(const std::string& method, const std::string& path) {
  if (path == "/acr/v1/_catalog" || path == "/v2/_catalog") return "registry:catalog:*";
  std::smatch m;
  const bool read = method == "GET" || method == "HEAD";
  if (std::regex_match(path, m, kTag) || std::regex_match(path, m, kManifestMeta)) {
    return "repository:" + m[1].str() +
           (method == "DELETE" ? ":delete"
            : read             ? ":metadata_read"
                               : ":metadata_write");
  }
  if (std::regex_match(path, m, kTags) || std::regex_match(path, m, kManifests)) {
    return "repository:" + m[1].str() + (read ? ":metadata_read" : ":metadata_write");
  }
  if (std::regex_match(path, m, kManifest)) return "repository:" + m[1].str() + (read ? ":pull" : ":delete");
  return "";
}

bool PlayAcrRegistry::scopeGrants(const std::string& granted, const std::string& needed) {
  const auto split = [](const std::string& scope) -> std::optional<std::array<std::string, 3>> {
    const auto first = scope.find(':'), last = scope.rfind(':');
    if (first == std::string::npos || first == last) return std::nullopt;
    return std::array<std::string, 3>{scope.substr(0, first), scope.substr(first + 1, last - first - 1),
                                      scope.substr(last + 1)};
  };
  const auto want = split(needed);
  if (!want) return false;
  std::istringstream words(granted);
  for (std::string word; words >> word;) {
    const auto have = split(word);
    if (!have || (*have)[0] != (*want)[0] || ((*have)[1] != (*want)[1] && (*have)[1] != "*")) continue;
    std::istringstream actions((*have)[2]);
    for (std::string action; std::getline(actions, action, ',');)
      if (action == "*" || action == (*want)[2]) return true;
  }
  return false;
}

PlayAcrResponse PlayAcrRegistry::handle(const PlayAcrRequest& request) {
  {
    std::lock_guard lock(mutex_);
    calls_.push_back(request.method + " " + request.path);
  }
  const auto& method = request.method;
  const bool read = method == "GET" || method == "HEAD";
  std::smatch m;
  if (read && request.path == "/acr/v1/_catalog") return catalog();
  if (read && request.path == "/v2/_catalog") {
    if (request.query.contains("last")) return jsonAnswer({{"repositories", json::array()}});
    return catalog();
  }
  if (read && std::regex_match(request.path, m, kTags)) return listTags(m[1], request);
  if (read && std::regex_match(request.path, m, kManifests)) return listManifests(m[1], request);
  std::lock_guard lock(mutex_);
  if (std::regex_match(request.path, m, kTag) && (method == "DELETE" || method == "PATCH")) {
    auto& repoTags = tags_[m[1]];
    auto it = repoTags.find(m[2]);
    if (it == repoTags.end()) return notFound();
    if (method == "PATCH") {
      const auto body = json::parse(request.body);
      it->second.deleteEnabled = body.value("deleteEnabled", it->second.deleteEnabled);
      it->second.writeEnabled = body.value("writeEnabled", it->second.writeEnabled);
      return jsonAnswer(json::object());
    }
    if (!it->second.deleteEnabled || !it->second.writeEnabled) return locked();
    repoTags.erase(it);
    PlayAcrResponse accepted;
    accepted.status = 202;
    return accepted;
  }
  if (std::regex_match(request.path, m, kManifestMeta) && method == "PATCH") {
    auto& repo = manifests_[m[1]];
    auto it = repo.find(m[2]);
    if (it == repo.end()) return notFound();
    it->second.deleteEnabled = it->second.writeEnabled = true;
    return jsonAnswer(json::object());
  }
  if (std::regex_match(request.path, m, kManifest) && (read || method == "DELETE")) {
    auto& repo = manifests_[m[1]];
    auto it = repo.find(m[2]);
    if (it == repo.end()) return notFound();
    if (read) {
      PlayAcrResponse found;
      found.headers["Docker-Content-Digest"] = it->first;
      found.contentType = it->second.mediaType.empty() ? kImage : it->second.mediaType;
      found.body = it->second.body;
      return found;
    }
    if (!it->second.deleteEnabled || !it->second.writeEnabled) return locked();
    std::erase_if(tags_[m[1]], [&](const auto& entry) { return entry.second.digest == it->first; });
    repo.erase(it);
    PlayAcrResponse accepted;
    accepted.status = 202;
    return accepted;
  }
  return notFound();
}

PlayAcrResponse PlayAcrRegistry::catalog() const {
  json names = json::array();
  {
    std::lock_guard lock(mutex_);
    for (const auto& [repo, list] : manifests_) names.push_back(repo);
  }
  return jsonAnswer({{"repositories", names}});
}

PlayAcrResponse PlayAcrRegistry::listTags(const std::string& repo, const PlayAcrRequest& request) {
  std::lock_guard lock(mutex_);
  if (!tags_.contains(repo)) return notFound();
  std::vector<std::pair<std::string, Tag>> list(tags_[repo].begin(), tags_[repo].end());
  std::stable_sort(list.begin(), list.end(),
                   [](auto& a, auto& b) { return a.second.updated > b.second.updated; });
  const auto param = [&](const char* name) {
    auto it = request.query.find(name);
    return it == request.query.end() ? std::string() : it->second;
  };
  const size_t n = param("n").empty() ? 100 : std::stoul(param("n"));
  size_t start = 0;
  if (!param("last").empty()) {
    while (start < list.size() && list[start].first != param("last")) ++start;
    ++start;
  }
  json page = json::array();
  for (size_t i = start; i < list.size() && page.size() < n; ++i) {
    const auto& [name, tag] = list[i];
    page.push_back({{"name", name},
                    {"digest", tag.digest},
                    {"createdTime", tag.updated},
                    {"lastUpdateTime", tag.updated},
                    {"changeableAttributes",
                     {{"deleteEnabled", tag.deleteEnabled},
                      {"writeEnabled", tag.writeEnabled},
                      {"readEnabled", true},
                      {"listEnabled", true}}}});
  }
  auto response = jsonAnswer({{"registry", "play"}, {"imageName", repo}, {"tags", page}});
  if (start + page.size() < list.size()) {
    response.headers["Link"] = "</acr/v1/" + repo + "/_tags?last=" + page.back()["name"].get<std::string>() +
                               "&n=" + std::to_string(n) + "&orderby=timedesc>; rel=\"next\"";
  }
  return response;
}

PlayAcrResponse PlayAcrRegistry::listManifests(const std::string& repo, const PlayAcrRequest& request) {
  std::lock_guard lock(mutex_);
  if (!manifests_.contains(repo)) return notFound();
  const auto n = request.query.contains("n") ? std::stoul(request.query.at("n")) : 100;
  const std::string last = request.query.contains("last") ? request.query.at("last") : "";
  json page = json::array();
  for (auto it = manifests_[repo].upper_bound(last); it != manifests_[repo].end() && page.size() < n; ++it) {
    json names = json::array();
    for (const auto& [name, tag] : tags_[repo])
      if (tag.digest == it->first) names.push_back(name);
    json item = {{"digest", it->first},
                 {"tags", names},
                 {"changeableAttributes",
                  {{"deleteEnabled", it->second.deleteEnabled}, {"writeEnabled", it->second.writeEnabled}}}};
    if (!it->second.mediaType.empty()) item["mediaType"] = it->second.mediaType;
    if (!it->second.updated.empty()) item["lastUpdateTime"] = it->second.updated;
    page.push_back(item);
  }
  return jsonAnswer({{"registry", "play"}, {"imageName", repo}, {"manifests", page}});
}

void PlayAcrRegistry::serveAnonymously(LoopbackServer& server) {
  const auto forward = [this](const httplib::Request& req, httplib::Response& res) {
    PlayAcrRequest request{req.method, req.path, {}, req.body};
    for (const auto& [name, value] : req.params) request.query[name] = value;
    const auto response = handle(request);
    res.status = response.status;
    for (const auto& [name, value] : response.headers) res.set_header(name, value);
    if (!response.body.empty()) res.set_content(response.body, response.contentType);
  };
  const std::string paths = R"(/(acr/v1/.+|v2/.+))";
  server.server().Get(paths, forward);
  server.server().Delete(paths, forward);
  server.server().Patch(paths, forward);
}

std::string PlayAcrRegistry::manifest(const std::string& repo, Clock::time_point updated,
                                      const std::string& mediaType, const std::vector<std::string>& children,
                                      const std::string& subject) {
  std::lock_guard lock(mutex_);
  json body = {{"schemaVersion", 2}, {"mediaType", mediaType.empty() ? kImage : mediaType}};
  if (mediaType == kIndex) {
    body["manifests"] = json::array();
    for (const auto& child : children) {
      const std::string type = manifests_[repo][child].mediaType;
      body["manifests"].push_back(
          {{"mediaType", type.empty() ? kImage : type}, {"digest", child}, {"size", 1}});
    }
  } else {
    body["config"] = {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                      {"digest", sha256(std::to_string(++counter_))},
                      {"size", 1}};
    body["layers"] = json::array();
  }
  if (!subject.empty()) body["subject"] = {{"mediaType", kImage}, {"digest", subject}, {"size", 1}};
  if (mediaType.empty()) body.erase("mediaType");
  const std::string text = body.dump();
  const std::string digest = sha256(text);
  manifests_[repo][digest] = {mediaType, text, rfc3339(updated)};
  return digest;
}

void PlayAcrRegistry::tag(const std::string& repo, const std::string& name, const std::string& digest,
                          Clock::time_point updated, bool deleteEnabled) {
  std::lock_guard lock(mutex_);
  tags_[repo][name] = {digest, rfc3339(updated), deleteEnabled, true};
}

void PlayAcrRegistry::clearUpdateTime(const std::string& repo, const std::string& digest) {
  std::lock_guard lock(mutex_);
  manifests_[repo][digest].updated.clear();
}

std::vector<std::string> PlayAcrRegistry::tagNames(const std::string& repo) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, tag] : tags_[repo]) names.push_back(name);
  return names;
}

bool PlayAcrRegistry::has(const std::string& repo, const std::string& digest) {
  std::lock_guard lock(mutex_);
  return manifests_.contains(repo) && manifests_.at(repo).contains(digest);
}

int PlayAcrRegistry::count(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  return static_cast<int>(
      std::count_if(calls_.begin(), calls_.end(), [&](auto& c) { return c.starts_with(prefix); }));
}

std::vector<std::string> PlayAcrRegistry::calls() {
  std::lock_guard lock(mutex_);
  return calls_;
}

}  // namespace hangar::test
