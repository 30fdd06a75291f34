#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "registry/oci_client.hpp"

namespace hangar::registry {

/// What `acr purge` was asked to do (flags already validated).
struct PurgeOptions {
  std::vector<std::string> filters;             ///< "REPO:TAG" expressions
  std::optional<std::chrono::nanoseconds> ago;  ///< nullopt (--untagged-only without --ago): cutoff = now
  int keep = 0;
  bool untagged = false;
  bool untaggedOnly = false;
  bool dryRun = false;
  bool includeLocked = false;  ///< generic registries have no locks: accepted, no effect
  int concurrency = 1;         ///< 1..32
  int repositoryPageSize = 100;
};

/// How many tags and manifests were (or, in a dry run, would be) deleted.
struct PurgeCounts {
  int tags = 0;
  int manifests = 0;
};

/// acr purge's semantics on a generic OCI registry (registry-and-purge.md §1): repositories from the catalog
/// (sorted) whose name matches an anchored repository expression; a tag is eligible when its tag expression
/// matches and its image was created strictly before now − ago (config `created`, or the
/// org.opencontainers.image.created annotation); the `keep` most recent eligible tags stay. As a generic
/// registry cannot untag, a tag goes by deleting its manifest, and only when every tag of that manifest
/// goes and no surviving index references it. With --untagged/--untagged-only, the children of indexes
/// deleted in this run become dangling manifests, deleted by the same age/keep rules, except referrers
/// (`subject`) and children still referenced by something kept. Prints acr purge's lines to `out`;
/// `counts` stays valid when it throws (the first failed deletion or listing error aborts the purge).
void purgeRegistry(OciClient& client, const PurgeOptions& options, std::ostream& out, PurgeCounts& counts,
                   std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

/// Parses an RFC 3339 time ("2020-01-02T03:04:05.123Z", "...+02:00"); nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parseRfc3339(const std::string& text);

}  // namespace hangar::registry
