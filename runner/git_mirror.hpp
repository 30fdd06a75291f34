#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

#include "runner/git_credentials.hpp"

namespace hangar::runner {

/// What one fetch moved over the wire (libgit2's git_indexer_progress after the download).
struct GitTransferStats {
  std::size_t receivedObjects = 0;
  std::size_t receivedBytes = 0;
  std::size_t totalObjects = 0;
  std::size_t localObjects = 0;
  double seconds = 0;
};

/// How to reach a repository and how long to wait for a busy mirror.
struct GitFetchOptions {
  const GitCredentials* credentials = nullptr;  // not owned; may be null
  std::chrono::milliseconds lockTimeout = std::chrono::minutes(10);
  std::function<void(const std::string&)> log;  // summary lines (and progress when set)
};

/// The outcome of bringing a mirror up to date.
struct MirrorUpdate {
  std::filesystem::path path;  // the bare mirror
  bool cloned = false;         // created by this call
  bool healed = false;         // an existing mirror was corrupt and was re-cloned
  GitTransferStats stats;
};

/// A commit picked out of a mirror: full SHA, and the branch or tag it came from when there was one.
struct ResolvedRef {
  std::string commit;
  std::string branch;
  std::string tag;
};

/// Bare mirror repositories, one per normalized URL, under one root (`<stateDir>/git-mirrors`).
/// One writer per mirror (flock on `<mirror>.lock`, released by the kernel when a holder dies); the
/// first use clones, later uses fetch every ref (`+refs/*:refs/*`, pruned); a corrupt mirror is
/// deleted and re-cloned once. Thread- and process-safe.
class GitMirrorCache {
 public:
  explicit GitMirrorCache(std::filesystem::path root);

  /// Where the mirror for `url` lives (whether or not it exists yet).
  std::filesystem::path mirrorPath(const std::string& url) const;

  /// Work done under the mirror's lock once it is up to date (e.g. a checkout from it).
  using UnderLock = std::function<void(const MirrorUpdate&, const ResolvedRef&)>;

  /// Clones or fetches the mirror of `url`, resolves `ref` in it (empty: the default branch), then
  /// calls `underLock` if set, all under the mirror's lock. A GitError of class Corrupt from any of
  /// these deletes the mirror and starts again once. Throws GitError.
  std::pair<MirrorUpdate, ResolvedRef> update(const std::string& url, const std::string& ref,
                                              const GitFetchOptions& options,
                                              const UnderLock& underLock = nullptr);

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

/// Resolves `ref` in an existing repository: empty = HEAD's branch, a full ref (`refs/...`), a branch,
/// a tag (peeled to its commit), or a full or abbreviated SHA. Throws GitError(RefNotFound).
ResolvedRef resolveRef(const std::filesystem::path& repository, const std::string& ref,
                       const std::string& url);

}  // namespace hangar::runner
