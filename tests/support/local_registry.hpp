#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace hangar::test {

/// A user the registry accepts with HTTP Basic auth (an htpasswd file with its bcrypt hash).
struct RegistryLogin {
  std::string username;
  std::string password;
};

/// A real registry (Debian's /usr/bin/docker-registry) serving plain HTTP on 127.0.0.1 at a free port,
/// with its storage and config in a private temp dir and deletes enabled; anonymous, or demanding one
/// Basic login. The constructor returns once `GET /v2/` answers (401 when a login is demanded); the
/// destructor stops it (SIGTERM, then SIGKILL after 10 s) and reaps it.
class LocalRegistry {
 public:
  /// Starts the registry; throws std::runtime_error with the end of its log when it does not come up.
  explicit LocalRegistry(std::optional<RegistryLogin> login = std::nullopt);
  ~LocalRegistry();
  LocalRegistry(const LocalRegistry&) = delete;
  LocalRegistry& operator=(const LocalRegistry&) = delete;

  /// "127.0.0.1:PORT", the registry part of image references.
  std::string host() const;
  int port() const { return port_; }
  /// "http://127.0.0.1:PORT".
  std::string url() const;

  /// The tags of `repository` (GET /v2/<repo>/tags/list, logged in when the registry demands it); empty
  /// when the repository does not exist.
  std::vector<std::string> tags(const std::string& repository) const;
  /// Every repository (GET /v2/_catalog).
  std::vector<std::string> catalog() const;
  /// The Docker-Content-Digest of HEAD /v2/<repo>/manifests/<reference>, asking for OCI and Docker
  /// manifest and index types. Throws when the manifest does not exist.
  std::string manifest_digest(const std::string& repository, const std::string& reference) const;

  /// The registry's own log (stdout and stderr), for failure messages.
  std::string log() const;

 private:
  struct Process;
  bool start_on(int port);
  void stop() noexcept;

  // url() with the login in it (libcurl sends it as Basic auth), for this class's own API calls.
  std::string api_url() const;

  TempDir dir_;
  std::optional<RegistryLogin> login_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
};

}  // namespace hangar::test
