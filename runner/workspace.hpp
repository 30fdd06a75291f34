#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "registry/credential.hpp"

namespace hangar::runner {

/// The private directory of one run, `<workRoot>/<runId>/`: `workspace/` (a copy of the build context
/// that steps see at /workspace, so they can write there without touching the user's folder),
/// `auth.json` (mode 0600, the only way credentials reach buildah), `registries.conf`, `digests/` and
/// `secret-volumes/` (the decoded secret volumes, outside the workspace so no step sees them unasked).
/// remove() deletes exactly these and then the run directory if nothing else (e.g. a log) is left.
class Workspace {
 public:
  /// Creates the run directory (0700) and an empty workspace. Throws std::runtime_error when the run
  /// directory exists already (another run with the same id) or cannot be made, and
  /// std::invalid_argument for a run id that is not a plain file name.
  Workspace(const std::filesystem::path& workRoot, std::string_view runId);
  /// Calls remove(), reporting nothing: call remove() yourself to see errors.
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  /// Copies `contextDir` into the workspace: directories, regular files (with their permissions) and
  /// symlinks as symlinks (never followed). Other files (sockets, FIFOs, devices) are skipped; the
  /// returned notes name them. An empty path or /dev/null means no context. Throws
  /// std::runtime_error naming the path when the context is not a directory or a copy fails.
  std::vector<std::string> copyContext(const std::filesystem::path& contextDir) const;
  /// Writes auth.json (0600 from the start) with these credentials; an empty map gives `{"auths":{}}`.
  void writeCredentials(const std::map<std::string, registry::Credential>& credentials) const;
  /// Writes registries.conf.
  void writeRegistriesConf(std::string_view text) const;
  /// The digest file of the `index`th image of push step `stepId`, under digests/.
  std::filesystem::path digestFile(std::string_view stepId, size_t index) const;

  /// Deletes workspace/, auth.json, registries.conf, digests/ and secret-volumes/, then the run directory
  /// when empty. Throws std::filesystem::filesystem_error naming the path that could not be removed.
  void remove();

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path workspace() const { return root_ / "workspace"; }
  std::filesystem::path authFile() const { return root_ / "auth.json"; }
  std::filesystem::path registriesConf() const { return root_ / "registries.conf"; }
  std::filesystem::path secretVolumes() const { return root_ / "secret-volumes"; }

 private:
  std::filesystem::path root_;
  bool removed_ = false;
};

}  // namespace hangar::runner
