#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::runner {

/// The registry repository a `cache: enabled` build step keeps its layer cache in (buildah
/// `--cache-to`/`--cache-from`): `<domain>/<repo>/cache_<task>_<step>`, where `<domain>/<repo>` comes
/// from the first tag naming a registry host, else `runRegistry` plus the first tag's repository, as
/// acr-builder picks the ref of its buildx cache (§4.1 item 6; acb's ref is the tag
/// `<domain>/<repo>:cache_<task>_<step>` because buildx keeps the whole cache in one manifest, buildah
/// keeps one image per layer). Task and step ids are lower-cased and characters a repository name
/// cannot hold become '_'. Nothing when there is no tag or no registry to keep the cache in.
std::optional<std::string> buildCacheRepository(const std::vector<std::string>& tags,
                                                std::string_view runRegistry, std::string_view taskName,
                                                std::string_view stepId);

}  // namespace hangar::runner
