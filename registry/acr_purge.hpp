#pragma once

#include <chrono>
#include <ostream>

#include "registry/oci_client.hpp"
#include "registry/purge.hpp"

namespace hangar::registry {

/// True when the registry answers ACR's metadata API (GET /acr/v1/_catalog?n=1 is 200).
bool hasAcrMetadataApi(OciClient& client);

/// acr purge on ACR, through its /acr/v1 metadata exactly as acr-cli does (registry-and-purge.md §1.3-1.6):
/// tags listed newest first (orderby=timedesc) and aged by lastUpdateTime; locked tags and manifests
/// (deleteEnabled or writeEnabled false) skipped unless --include-locked, which PATCHes them unlocked first;
/// tags untagged with DELETE /acr/v1/<repo>/_tags/<tag> (the manifest stays); with --untagged(-only) the
/// untagged manifests from /acr/v1/<repo>/_manifests deleted by age and keep, except children of protected
/// indexes, referrers (`subject`) and manifests without a media type. Same output lines and counts as
/// purgeRegistry; the first failed deletion aborts.
void purgeAcrRegistry(OciClient& client, const PurgeOptions& options, std::ostream& out, PurgeCounts& counts,
                      std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace hangar::registry
