#pragma once

#include <optional>
#include <string>

#include "runner/git_credentials.hpp"

namespace hangar::runner {

/// The commit `ref` points at on the remote (`git ls-remote`: connect and list refs, no fetch).
/// `ref` may be empty (the default branch), a branch, a tag (peeled) or a full ref. Returns nullopt
/// when the remote has no such ref; throws GitError when the remote cannot be listed.
std::optional<std::string> remoteHead(const std::string& url, const std::string& ref,
                                      const GitCredentials* credentials = nullptr);

/// For the source trigger: true when `branch` on the remote no longer points at `knownCommit`
/// (including when the branch was deleted).
bool remoteBranchMoved(const std::string& url, const std::string& branch, const std::string& knownCommit,
                       const GitCredentials* credentials = nullptr);

}  // namespace hangar::runner
