#pragma once

#include <filesystem>
#include <string>

#include "runner/git_mirror.hpp"

struct git_commit;

namespace hangar::runner {

/// Checks `commit` of the mirror of `url` out into `directory` (created; must be empty or absent): a
/// non-bare repository whose `.git/objects/info/alternates` points at the mirror, so no object is
/// copied; HEAD detached at the commit, `origin` set to `url` (no credentials). Submodules are fetched
/// through the same cache and checked out recursively. Throws GitError.
void checkoutFromMirror(GitMirrorCache& cache, const std::filesystem::path& mirror, const std::string& url,
                        const std::string& commit, const std::filesystem::path& directory,
                        const GitFetchOptions& options);

/// What a commit's tree holds that changes how it is checked out.
struct TreeTraits {
  bool hasAttributes = false;  // a `.gitattributes` anywhere: filters (eol, ident, ...) apply
  bool hasSubmodules = false;  // a `.gitmodules` at the top
};

/// Walks the whole tree of `commit` (no file content is read). Throws GitError.
TreeTraits inspectTree(const git_commit* commit, const std::string& url);

}  // namespace hangar::runner
