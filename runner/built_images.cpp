#include "runner/built_images.hpp"

#include <algorithm>
#include <stdexcept>

#include "registry/image_reference.hpp"

namespace hangar::runner {

void BuiltImages::record(const std::vector<std::string>& names, const std::string& id) {
  std::lock_guard lock(mutex_);
  for (const auto& name : names) ids_[key(name)] = id;
}

std::optional<std::string> BuiltImages::idOf(const std::string& name) const {
  std::lock_guard lock(mutex_);
  const auto it = ids_.find(key(name));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> BuiltImages::idFromBuildOutput(std::string_view lastLine) {
  if (lastLine.ends_with('\r')) lastLine.remove_suffix(1);
  if (lastLine.size() != 64 || !std::all_of(lastLine.begin(), lastLine.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      }))
    return std::nullopt;
  return std::string(lastLine);
}

std::string BuiltImages::key(const std::string& name) {
  try {
    return registry::ImageReference::parse(name).withDefaultTag().str();
  } catch (const std::invalid_argument&) {
    return name;
  }
}

void LastLine::feed(std::string_view chunk) {
  lines_.feed(chunk, [this](std::string_view line) {
    if (!line.empty()) complete_ = line;
  });
}

}  // namespace hangar::runner
