#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/credential.hpp"

namespace hangar::registry {

/// Asks credential helper `helper` (the suffix of docker-credential-<helper>) for `serverUrl`'s credential.
using CredentialHelperRunner =
    std::function<std::optional<Credential>(std::string_view helper, std::string_view serverUrl)>;

/// The host a docker config key or a registry name stands for: scheme and path removed, lowercased,
/// and Docker Hub's spellings (index.docker.io, registry-1.docker.io, https://index.docker.io/v1/)
/// turned into "docker.io".
std::string normalizeRegistryHost(std::string_view keyOrHost);

/// Credentials from docker-style config files and credential helpers (docker's config.json format).
/// find(H) looks in this order: credHelpers[H] (that helper only), then credsStore (the helper, falling
/// back to the file's own entry when the helper has none), then auths[H]. Keys match after
/// normalizeRegistryHost, an exact key winning over e.g. "https://H/v1/". Helpers are asked for
/// "https://index.docker.io/v1/" for Docker Hub and for the host otherwise, as docker does.
class DockerConfig {
 public:
  /// Reads `file`; a missing file gives an empty config. Throws std::runtime_error naming the file for
  /// unreadable files, bad JSON or malformed entries (never quoting a secret).
  static DockerConfig load(const std::filesystem::path& file);
  /// The same, asking credential helpers through `helpers` (a seam for tests).
  static DockerConfig load(const std::filesystem::path& file, CredentialHelperRunner helpers);
  /// $DOCKER_CONFIG/config.json when DOCKER_CONFIG is set, else ~/.docker/config.json.
  static std::filesystem::path defaultPath();

  /// The credential for a registry host (any spelling normalizeRegistryHost accepts), or nullopt.
  /// Throws std::runtime_error when a configured helper cannot be run or fails.
  std::optional<Credential> find(std::string_view registryHost) const;
  /// The normalised hosts named in auths and credHelpers, sorted, without duplicates.
  std::vector<std::string> hosts() const;

 private:
  std::filesystem::path file_;
  std::map<std::string, Credential> auths_;     // by normalised host
  std::map<std::string, std::string> helpers_;  // credHelpers, by normalised host
  std::string credsStore_;
  CredentialHelperRunner runHelper_;

  std::optional<Credential> askHelper(const std::string& helper, const std::string& host) const;
};

/// Writes a containers-auth.json (docker "auths" format) with mode 0600, created 0600 from the start (no
/// window), for buildah --authfile / podman / a per-run DOCKER_CONFIG. Overwrites atomically. Keys are the
/// hosts as given, except that Docker Hub is written as "https://index.docker.io/v1/", which both the docker
/// CLI and containers/image read. Each entry has "auth" (base64 of user:password) when a username or password
/// is set and "identitytoken" when an identity token is.
void writeAuthFile(const std::filesystem::path& path, const std::map<std::string, Credential>& credentials);

}  // namespace hangar::registry
