#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "runner/context_url.hpp"
#include "runner/git_credentials.hpp"
#include "runner/git_mirror.hpp"

namespace hangar::runner {

/// Where and how to fetch remote contexts.
struct ContextFetchOptions {
  std::filesystem::path mirrorRoot;  // `<stateDir>/git-mirrors`
  GitCredentials credentials;        // merged with any credentials in the URL (the URL wins)
  std::chrono::milliseconds lockTimeout = std::chrono::minutes(10);
  std::function<void(const std::string&)> log;
};

/// A remote context on disk, and what `.Run` learns from it.
struct FetchedContext {
  std::filesystem::path root;        // the checkout or unpacked archive
  std::filesystem::path contextDir;  // root / subdir
  std::string commit;                // full SHA (git only)
  std::string branch;
  std::string tag;
  std::string repository;  // the URL without credentials
  GitTransferStats stats;
};

/// Fetches `context` into `destination` (replaced if it exists): git through the mirror cache,
/// archives downloaded (3 attempts) and unpacked safely. Throws GitError or std::runtime_error with
/// the URL (credentials stripped); a missing subdir is an error.
FetchedContext fetchContext(const ContextUrl& context, const std::filesystem::path& destination,
                            const ContextFetchOptions& options);

}  // namespace hangar::runner
