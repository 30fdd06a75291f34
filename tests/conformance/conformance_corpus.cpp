#include "tests/conformance/conformance_corpus.hpp"

#include <cstdlib>
#include <string_view>
#include <vector>

namespace hangar::test {

std::optional<std::filesystem::path> find_conformance_corpus() {
  std::vector<std::filesystem::path> candidates;
  if (const char* env = std::getenv("HANGAR_CONFORMANCE_DIR"); env && *env) candidates.emplace_back(env);
  candidates.emplace_back(std::filesystem::path(HANGAR_SOURCE_DIR).parent_path() / "shared" / "conformance");
  candidates.emplace_back("/work/shared/conformance");
  for (const auto& candidate : candidates) {
    std::error_code error;
    if (std::filesystem::is_directory(candidate / "azure-samples", error)) return candidate;
  }
  return std::nullopt;
}

bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci && (std::string_view(ci) == "true" || std::string_view(ci) == "1");
}

}  // namespace hangar::test
