#include "config/environment.hpp"

#include <set>

namespace hangar::config {

std::string envName(const std::string& entry) { return entry.substr(0, entry.find('=')); }

std::vector<std::string> mergeEnv(const std::vector<std::string>& preferred,
                                  const std::vector<std::string>& fallback) {
  // acr-builder splits every fallback entry on ',' first (bug B1: `JAVA_OPTS=-a,-b` at task level
  // becomes `JAVA_OPTS=-a` plus an invalid `-b`). Hangar keeps each entry whole, as at step level.
  std::vector<std::string> merged = preferred;
  std::set<std::string> names;
  for (const auto& entry : preferred) names.insert(envName(entry));
  for (const auto& entry : fallback) {
    if (!names.count(envName(entry))) merged.push_back(entry);
  }
  return merged;
}

}  // namespace hangar::config
