#include "runner/build_cache.hpp"

#include <cctype>

namespace hangar::runner {

namespace {

bool namesRegistryHost(std::string_view component) {
  return component.find_first_of(".:") != std::string_view::npos || component == "localhost";
}

/// "host/team/app:1" -> "host/team/app" (a digest or tag removed; a host's port kept).
std::string withoutTagOrDigest(std::string_view image) {
  if (const auto at = image.find('@'); at != std::string_view::npos) image = image.substr(0, at);
  const auto slash = image.rfind('/');
  const auto colon = image.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash))
    image = image.substr(0, colon);
  return std::string(image);
}

std::string repositoryComponent(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    out += std::isalnum(c) ? static_cast<char>(std::tolower(c))
                           : (c == '.' || c == '-' ? static_cast<char>(c) : '_');
  }
  return out;
}

}  // namespace

std::optional<std::string> buildCacheRepository(const std::vector<std::string>& tags,
                                                std::string_view runRegistry, std::string_view taskName,
                                                std::string_view stepId) {
  if (tags.empty()) return std::nullopt;
  std::string repository;
  for (const std::string& tag : tags) {
    const auto slash = tag.find('/');
    if (slash != std::string::npos && namesRegistryHost(std::string_view(tag).substr(0, slash))) {
      repository = withoutTagOrDigest(tag);
      break;
    }
  }
  if (repository.empty()) {
    if (runRegistry.empty()) return std::nullopt;
    repository = std::string(runRegistry) + "/" + withoutTagOrDigest(tags.front());
  }
  return repository + "/cache_" + repositoryComponent(taskName.empty() ? "quickrun" : taskName) + "_" +
         repositoryComponent(stepId);
}

}  // namespace hangar::runner
