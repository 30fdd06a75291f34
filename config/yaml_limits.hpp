#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <stdexcept>
#include <string>

namespace hangar::config {

/// How much YAML Hangar reads from one file: yaml-cpp shares an aliased node instead of copying it, so
/// a file of a few lines can stand for billions of values ("billion laughs") or refer to itself; every
/// reader that walks the tree would then run out of time, memory or stack.
struct YamlLimits {
  std::size_t maxNodes = 200'000;  ///< values visited with every alias expanded
  int maxDepth = 1'000;            ///< nesting, aliases followed
};

/// A YAML tree over its limits: what was exceeded, at the 0-based yaml-cpp mark of the node reached.
class YamlLimitError : public std::runtime_error {
 public:
  YamlLimitError(const std::string& what, YAML::Mark mark) : std::runtime_error(what), mark_(mark) {}
  const YAML::Mark& mark() const { return mark_; }

 private:
  YAML::Mark mark_;
};

/// Walks `root` as its readers will (aliases expanded) and throws YamlLimitError as soon as it has
/// visited more than `limits.maxNodes` nodes or gone deeper than `limits.maxDepth`; costs at most
/// maxNodes steps, so it is safe on any tree yaml-cpp can load.
void checkYamlLimits(const YAML::Node& root, const YamlLimits& limits = {});

}  // namespace hangar::config
