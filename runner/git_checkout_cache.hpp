#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "runner/git_mirror.hpp"

namespace hangar::runner {

/// How a run's checkout was produced.
struct CachedCheckoutResult {
  enum class Mode { Unchanged, Incremental, Full, Direct };
  Mode mode = Mode::Full;
  std::size_t filesWritten = 0;  // files the cached checkout had to (re)write: the changed ones only
  std::size_t filesLinked = 0;   // files of the run's snapshot that share the cached checkout's contents
  double seconds = 0;
};

/// "unchanged", "incremental", "full", "direct".
std::string describe(CachedCheckoutResult::Mode mode);

/// One cached checkout per mirror, `<mirror minus .git>.checkout` beside it, brought from the commit it
/// holds to the next one by writing only the files that differ (a tree-to-tree diff; files are removed
/// and written anew, never rewritten in place). A run gets `destination`, a hard-linked snapshot of the
/// cached checkout (its own directories; contents shared, so it is read-only input: the runner copies
/// it into the run's private workspace). A cache left half-updated by a crash is rebuilt in full; a
/// repository with submodules or `.gitattributes` changes takes the full path too, and with submodules
/// the run's checkout is made directly (`Direct`). Must be called with the mirror's lock held
/// (GitMirrorCache::update's `underLock`). Throws GitError or std::filesystem::filesystem_error.
CachedCheckoutResult checkoutThroughCache(GitMirrorCache& cache, const std::filesystem::path& mirror,
                                          const std::string& url, const std::string& commit,
                                          const std::filesystem::path& destination,
                                          const GitFetchOptions& options);

}  // namespace hangar::runner
