#pragma once

#include <map>
#include <string>
#include <vector>

namespace hangar::runner {

/// The containers-registries.conf (version 2, TOML) a run hands buildah through
/// CONTAINERS_REGISTRIES_CONF: short names resolve on docker.io; each mirror is a `prefix` table whose
/// `location` replaces the prefix in every pull (FROM lines and cmd images); registries that may be
/// reached over plain HTTP (loopback ones, and those the agent lists as insecure) get `insecure = true`.
struct RegistriesConf {
  std::vector<std::string> registries;  // hosts the run touches: run registry, push targets, images
  std::map<std::string, std::string>
      mirrors;  // prefix ("mcr.microsoft.com") -> location ("127.0.0.1:5000/mcr")
  std::vector<std::string> insecureRegistries;  // hosts reached over plain HTTP besides loopback ones

  /// The file's text. Each registry gets one table (duplicates merged); a mirror location's host gets
  /// a table of its own when it is insecure. Throws std::invalid_argument for a host, prefix or
  /// location that is empty or holds whitespace, a quote or a backslash.
  std::string render() const;
};

}  // namespace hangar::runner
