#include "registry/docker_config.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "config/base64.hpp"
#include "registry/credential_helper.hpp"

namespace hangar::registry {
namespace {

constexpr std::string_view kDockerHub = "docker.io";
constexpr std::string_view kDockerHubServerUrl = "https://index.docker.io/v1/";

std::string toLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string readFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string() + ": " + std::strerror(errno));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw std::runtime_error("cannot read " + file.string());
  return content.str();
}

// "FILE:LINE:COL" for a byte offset (1-based, as nlohmann reports it) in `text`.
std::string position(const std::filesystem::path& file, std::string_view text, std::size_t byte) {
  const auto before = text.substr(0, std::min(byte > 0 ? byte - 1 : 0, text.size()));
  const auto line = 1 + std::count(before.begin(), before.end(), '\n');
  const auto lineStart = before.rfind('\n');
  const auto column = before.size() - (lineStart == std::string_view::npos ? 0 : lineStart + 1) + 1;
  return file.string() + ":" + std::to_string(line) + ":" + std::to_string(column);
}

// The credential in one "auths" entry; nullopt for an entry without one (as with a credsStore).
std::optional<Credential> parseAuthEntry(const std::filesystem::path& file, const std::string& key,
                                         const nlohmann::json& entry) {
  const std::string where = file.string() + ": auths[\"" + key + "\"]";
  if (!entry.is_object()) throw std::runtime_error(where + " must be an object");
  const auto field = [&](const char* name) -> std::string {
    if (!entry.contains(name)) return "";
    if (!entry[name].is_string()) throw std::runtime_error(where + "." + name + " must be a string");
    return entry[name].get<std::string>();
  };
  Credential credential;
  credential.username = field("username");
  credential.password = field("password");
  credential.identityToken = field("identitytoken");
  if (const auto auth = field("auth"); !auth.empty()) {
    const auto decoded = config::decodeBase64(auth);
    if (!decoded) throw std::runtime_error(where + ".auth is not valid base64");
    const auto colon = decoded->find(':');
    if (colon == std::string::npos || colon == 0)
      throw std::runtime_error(where +
                               ".auth must be the base64 of USERNAME:PASSWORD with a non-empty username");
    credential.username = decoded->substr(0, colon);
    credential.password = decoded->substr(colon + 1);
    credential.password.erase(credential.password.find_last_not_of('\0') + 1);
  }
  if (credential == Credential{}) return std::nullopt;
  return credential;
}

}  // namespace

std::string normalizeRegistryHost(std::string_view keyOrHost) {
  std::string host = toLower(keyOrHost);
  for (const std::string_view scheme : {"https://", "http://"}) {
    if (host.starts_with(scheme)) {
      host.erase(0, scheme.size());
      break;
    }
  }
  host = host.substr(0, host.find('/'));
  if (host == "index.docker.io" || host == "registry-1.docker.io") host = kDockerHub;
  return host;
}

DockerConfig DockerConfig::load(const std::filesystem::path& file) { return load(file, runCredentialHelper); }

DockerConfig DockerConfig::load(const std::filesystem::path& file, CredentialHelperRunner helpers) {
  DockerConfig config;
  config.file_ = file;
  config.runHelper_ = std::move(helpers);
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    if (ec) throw std::runtime_error("cannot read " + file.string() + ": " + ec.message());
    return config;
  }
  const std::string text = readFile(file);
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() quotes the text near the error, which may be a secret: report only the place.
    throw std::runtime_error(position(file, text, e.byte) + ": not valid JSON");
  }
  if (!json.is_object()) throw std::runtime_error(file.string() + ": the top level must be a JSON object");

  if (json.contains("auths")) {
    const auto& auths = json["auths"];
    if (!auths.is_object()) throw std::runtime_error(file.string() + ": \"auths\" must be an object");
    std::set<std::string> exact;  // hosts whose entry came from a key that is already normalised
    for (const auto& [key, entry] : auths.items()) {
      const auto credential = parseAuthEntry(file, key, entry);
      if (!credential) continue;
      const auto host = normalizeRegistryHost(key);
      const bool isExact = key == host || (host == kDockerHub && key == kDockerHubServerUrl);
      if (config.auths_.contains(host) && (exact.contains(host) || !isExact)) continue;
      config.auths_[host] = *credential;
      if (isExact) exact.insert(host);
    }
  }
  if (json.contains("credHelpers")) {
    const auto& helpersJson = json["credHelpers"];
    if (!helpersJson.is_object())
      throw std::runtime_error(file.string() + ": \"credHelpers\" must be an object");
    for (const auto& [key, helper] : helpersJson.items()) {
      if (!helper.is_string())
        throw std::runtime_error(file.string() + ": credHelpers[\"" + key + "\"] must be a string");
      const auto host = normalizeRegistryHost(key);
      if (!config.helpers_.contains(host) || key == host) config.helpers_[host] = helper.get<std::string>();
    }
  }
  if (json.contains("credsStore")) {
    if (!json["credsStore"].is_string())
      throw std::runtime_error(file.string() + ": \"credsStore\" must be a string");
    config.credsStore_ = json["credsStore"].get<std::string>();
  }
  return config;
}

std::filesystem::path DockerConfig::defaultPath() {
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir != nullptr && *dir != '\0')
    return std::filesystem::path(dir) / "config.json";
  std::filesystem::path home;
  if (const char* env = std::getenv("HOME"); env != nullptr && *env != '\0') {
    home = env;
  } else if (const passwd* entry = getpwuid(getuid()); entry != nullptr && entry->pw_dir != nullptr) {
    home = entry->pw_dir;
  }
  return home / ".docker" / "config.json";
}

std::optional<Credential> DockerConfig::askHelper(const std::string& helper, const std::string& host) const {
  const std::string serverUrl = host == kDockerHub ? std::string(kDockerHubServerUrl) : host;
  try {
    return runHelper_(helper, serverUrl);
  } catch (const std::exception& e) {
    throw std::runtime_error(file_.string() + ": credential helper \"" + helper + "\" for " + host + ": " +
                             e.what());
  }
}

std::optional<Credential> DockerConfig::find(std::string_view registryHost) const {
  const auto host = normalizeRegistryHost(registryHost);
  if (const auto helper = helpers_.find(host); helper != helpers_.end())
    return askHelper(helper->second, host);
  if (!credsStore_.empty()) {
    if (auto credential = askHelper(credsStore_, host)) return credential;
  }
  if (const auto entry = auths_.find(host); entry != auths_.end()) return entry->second;
  return std::nullopt;
}

std::vector<std::string> DockerConfig::hosts() const {
  std::set<std::string> all;
  for (const auto& [host, credential] : auths_) all.insert(host);
  for (const auto& [host, helper] : helpers_) all.insert(host);
  return {all.begin(), all.end()};
}

void writeAuthFile(const std::filesystem::path& path, const std::map<std::string, Credential>& credentials) {
  nlohmann::json auths = nlohmann::json::object();
  for (const auto& [host, credential] : credentials) {
    const std::string key =
        normalizeRegistryHost(host) == kDockerHub ? std::string(kDockerHubServerUrl) : std::string(host);
    nlohmann::json entry = nlohmann::json::object();
    if (!credential.username.empty() || !credential.password.empty())
      entry["auth"] = config::encodeBase64(credential.username + ":" + credential.password);
    if (!credential.identityToken.empty()) entry["identitytoken"] = credential.identityToken;
    auths[key] = std::move(entry);
  }
  const std::string content = nlohmann::json{{"auths", auths}}.dump(2) + "\n";

  // mkstemp creates the file 0600 in the target folder, so rename() is atomic and there is no moment at
  // which the secrets are readable by others.
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string tmp = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  const int fd = mkstemp(tmp.data());
  if (fd < 0)
    throw std::runtime_error("cannot create a file in " + dir.string() + ": " + std::strerror(errno));
  const auto fail = [&](const std::string& what) {
    const int saved = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + path.string() + ": " + what + ": " + std::strerror(saved));
  };
  if (fchmod(fd, S_IRUSR | S_IWUSR) != 0) fail("chmod");
  for (std::size_t written = 0; written < content.size();) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0) fail("fsync");
  if (::close(fd) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + path.string() + ": close: " + std::strerror(saved));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + path.string() + ": rename: " + std::strerror(saved));
  }
}

}  // namespace hangar::registry
