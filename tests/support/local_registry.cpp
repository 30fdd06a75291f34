#include "tests/support/local_registry.hpp"

#include <signal.h>

#include <boost/process.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "tests/support/free_port.hpp"
#include "tests/support/htpasswd.hpp"
#include "tests/support/http_client.hpp"

namespace hangar::test {
namespace {

namespace bp = boost::process;
using Clock = std::chrono::steady_clock;

constexpr const char* kRegistryBinary = "/usr/bin/docker-registry";
constexpr int kStartAttempts = 5;
constexpr auto kStartDeadline = std::chrono::seconds(30);
constexpr auto kStopDeadline = std::chrono::seconds(10);
constexpr auto kPollInterval = std::chrono::milliseconds(20);

std::string config_for(const std::filesystem::path& storage, int port,
                       const std::optional<std::filesystem::path>& htpasswd) {
  std::string config =
      "version: 0.1\n"
      "log:\n"
      "  level: info\n"
      "  accesslog:\n"
      "    disabled: false\n"
      "storage:\n"
      "  filesystem:\n"
      "    rootdirectory: " +
      storage.string() +
      "\n"
      "  delete:\n"
      "    enabled: true\n";
  if (htpasswd)
    config += "auth:\n  htpasswd:\n    realm: hangar-test\n    path: " + htpasswd->string() + "\n";
  return config + "http:\n  secret: hangar-test-registry\n  addr: 127.0.0.1:" + std::to_string(port) + "\n";
}

std::string tail(const std::string& text, std::size_t max_chars = 4000) {
  return text.size() <= max_chars ? text : "..." + text.substr(text.size() - max_chars);
}

std::vector<std::string> string_list(const nlohmann::json& value, const char* key) {
  std::vector<std::string> items;
  if (value.contains(key) && value[key].is_array()) {
    for (const auto& item : value[key]) items.push_back(item.get<std::string>());
  }
  return items;
}

}  // namespace

struct LocalRegistry::Process {
  bp::child child;
};

LocalRegistry::LocalRegistry(std::optional<RegistryLogin> login)
    : dir_("hangar-registry"), login_(std::move(login)) {
  if (!std::filesystem::exists(kRegistryBinary)) {
    throw std::runtime_error(std::string(kRegistryBinary) + " is missing: apt-get install docker-registry");
  }
  std::filesystem::create_directories(dir_.path() / "storage");
  if (login_) dir_.write("htpasswd", login_->username + ":" + bcrypt_hash(login_->password) + "\n");
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    if (start_on(pick_free_loopback_port())) return;
    // Another process took the port between our probe and the registry's bind: try another one.
  }
  throw std::runtime_error("docker-registry could not bind a free loopback port in " +
                           std::to_string(kStartAttempts) + " attempts; last log:\n" + tail(log()));
}

LocalRegistry::~LocalRegistry() { stop(); }

bool LocalRegistry::start_on(int port) {
  port_ = port;
  std::optional<std::filesystem::path> htpasswd;
  if (login_) htpasswd = dir_.path() / "htpasswd";
  const auto config = dir_.write("config.yml", config_for(dir_.path() / "storage", port, htpasswd));
  const auto log_file = dir_.path() / "registry.log";
  process_ = std::make_unique<Process>();
  process_->child = bp::child(kRegistryBinary, bp::args({"serve", config.string()}),
                              (bp::std_out & bp::std_err) > log_file.string(), bp::std_in < bp::null);

  const auto deadline = Clock::now() + kStartDeadline;
  while (Clock::now() < deadline) {
    std::error_code ec;
    if (!process_->child.running(ec)) {
      const std::string text = log();
      process_.reset();
      if (text.find("address already in use") != std::string::npos) return false;
      throw std::runtime_error("docker-registry exited at start on port " + std::to_string(port) + ":\n" +
                               tail(text));
    }
    try {
      // The "listening on" line proves that this registry, not some other server, owns the port.
      if (log().find("listening on " + host()) != std::string::npos &&
          http_request("GET", url() + "/v2/", {}, std::chrono::seconds(2)).status == (login_ ? 401 : 200)) {
        return true;
      }
    } catch (const std::runtime_error&) {
      // Not listening yet: poll again until the deadline.
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  stop();
  throw std::runtime_error("docker-registry on port " + std::to_string(port) +
                           " did not answer GET /v2/ within " + std::to_string(kStartDeadline.count()) +
                           " s:\n" + tail(log()));
}

void LocalRegistry::stop() noexcept {
  if (!process_) return;
  bp::child& child = process_->child;
  std::error_code ec;
  if (child.running(ec)) {
    ::kill(child.id(), SIGTERM);
    const auto deadline = Clock::now() + kStopDeadline;
    while (child.running(ec) && Clock::now() < deadline) std::this_thread::sleep_for(kPollInterval);
    if (child.running(ec)) child.terminate(ec);
  }
  child.wait(ec);
  process_.reset();
}

std::string LocalRegistry::host() const { return "127.0.0.1:" + std::to_string(port_); }

std::string LocalRegistry::url() const { return "http://" + host(); }

std::string LocalRegistry::api_url() const {
  return login_ ? "http://" + login_->username + ":" + login_->password + "@" + host() : url();
}

std::vector<std::string> LocalRegistry::tags(const std::string& repository) const {
  const auto response = http_request("GET", api_url() + "/v2/" + repository + "/tags/list");
  if (response.status == 404) return {};
  if (response.status != 200) {
    throw std::runtime_error("GET /v2/" + repository + "/tags/list: HTTP " + std::to_string(response.status) +
                             ": " + response.body);
  }
  return string_list(nlohmann::json::parse(response.body), "tags");
}

std::vector<std::string> LocalRegistry::catalog() const {
  const auto response = http_request("GET", api_url() + "/v2/_catalog");
  if (response.status != 200) {
    throw std::runtime_error("GET /v2/_catalog: HTTP " + std::to_string(response.status) + ": " +
                             response.body);
  }
  return string_list(nlohmann::json::parse(response.body), "repositories");
}

std::string LocalRegistry::manifest_digest(const std::string& repository,
                                           const std::string& reference) const {
  const std::string path = "/v2/" + repository + "/manifests/" + reference;
  const auto response = http_request("HEAD", api_url() + path,
                                     {"Accept: application/vnd.oci.image.manifest.v1+json, "
                                      "application/vnd.oci.image.index.v1+json, "
                                      "application/vnd.docker.distribution.manifest.v2+json, "
                                      "application/vnd.docker.distribution.manifest.list.v2+json"});
  const auto digest = response.headers.find("docker-content-digest");
  if (response.status != 200 || digest == response.headers.end()) {
    throw std::runtime_error("HEAD " + path + ": HTTP " + std::to_string(response.status) +
                             " without a Docker-Content-Digest");
  }
  return digest->second;
}

std::string LocalRegistry::log() const {
  const auto file = dir_.path() / "registry.log";
  return std::filesystem::exists(file) ? read_file(file) : std::string();
}

}  // namespace hangar::test
