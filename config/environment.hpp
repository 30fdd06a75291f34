#pragma once

#include <string>
#include <vector>

namespace hangar::config {

/// The NAME of a "NAME=VALUE" entry (the whole entry when it has no '=').
std::string envName(const std::string& entry);

/// `preferred` followed by each entry of `fallback` whose NAME is not in `preferred`, in order:
/// how acr-builder merges task env into step env (the step wins) and CLI --env into task env (the
/// file wins). Entries are never split on commas (acr-builder's bug B1 is not reproduced).
std::vector<std::string> mergeEnv(const std::vector<std::string>& preferred,
                                  const std::vector<std::string>& fallback);

}  // namespace hangar::config
