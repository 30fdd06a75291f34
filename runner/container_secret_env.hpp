#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::runner {

/// A cmd step's environment split in two: entries buildah may see on its argv (`--env K=V`), and
/// entries whose value holds a secret, which go into the working container's config instead
/// (buildah 1.28 has no --env-file and `--env K` does not read buildah's own environment).
struct SplitEnv {
  std::vector<std::string> onArgv;  // "K=V" in their order
  std::vector<std::string> hidden;  // "K=V" whose value holds a secret
};

/// Splits `env` ("K=V", a later entry for the same key wins, as `--env` does). `holdsSecret` says
/// whether a value contains a secret (in any masked form).
SplitEnv splitSecretEnv(const std::vector<std::string>& env,
                        const std::function<bool(std::string_view value)>& holdsSecret);

/// Where buildah keeps a working container's config:
/// `<graphRoot>/<driver>-containers/<id>/userdata/buildah.json`.
std::filesystem::path buildahContainerConfig(const std::filesystem::path& graphRoot, std::string_view driver,
                                             std::string_view containerId);

/// Sets `entries` ("K=V") in the container config's `ociv1.config.Env` and `docker.config.Env`
/// (replacing an entry of the same key, else appending), then replaces the file atomically with the
/// same mode. Throws std::runtime_error naming the file (never a value) when it cannot be read,
/// parsed or written.
void setBuildahContainerEnv(const std::filesystem::path& configFile, const std::vector<std::string>& entries);

}  // namespace hangar::runner
