#pragma once

// Finds the conformance corpus (real task files, see /work/shared/conformance/README.md) for tests.

#include <cstdlib>
#include <filesystem>
#include <optional>

namespace hangar::config::testing {

/// The conformance folder: $HANGAR_CONFORMANCE_DIR, else tests/conformance in the source tree, else
/// ../shared/conformance beside the source tree (where CI puts it), else /work/shared/conformance. Nothing
/// when none exists (tests then skip, saying why).
inline std::optional<std::filesystem::path> conformanceDir() {
  std::vector<std::filesystem::path> candidates;
  if (const char* env = std::getenv("HANGAR_CONFORMANCE_DIR")) candidates.emplace_back(env);
#ifdef HANGAR_SOURCE_DIR
  candidates.emplace_back(std::filesystem::path(HANGAR_SOURCE_DIR) / "tests" / "conformance");
  candidates.emplace_back(std::filesystem::path(HANGAR_SOURCE_DIR).parent_path() / "shared" / "conformance");
#endif
  candidates.emplace_back("/work/shared/conformance");
  for (const auto& candidate : candidates)
    if (std::filesystem::is_directory(candidate / "acr-builder")) return candidate;
  return std::nullopt;
}

}  // namespace hangar::config::testing
