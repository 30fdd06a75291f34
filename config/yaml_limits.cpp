#include "config/yaml_limits.hpp"

namespace hangar::config {
namespace {

class Walker {
 public:
  explicit Walker(const YamlLimits& limits) : limits_(limits) {}

  void visit(const YAML::Node& node, int depth) {
    if (++visited_ > limits_.maxNodes) {
      throw YamlLimitError("the YAML expands to more than " + std::to_string(limits_.maxNodes) +
                               " values (aliases of aliases?); refusing to read it",
                           node.Mark());
    }
    if (depth > limits_.maxDepth) {
      throw YamlLimitError("the YAML is nested more than " + std::to_string(limits_.maxDepth) +
                               " levels deep (or an alias refers to the value that contains it)",
                           node.Mark());
    }
    if (node.IsSequence()) {
      for (const YAML::Node& item : node) visit(item, depth + 1);
    } else if (node.IsMap()) {
      for (auto it = node.begin(); it != node.end(); ++it) {
        visit(it->first, depth + 1);
        visit(it->second, depth + 1);
      }
    }
  }

 private:
  const YamlLimits& limits_;
  std::size_t visited_ = 0;
};

}  // namespace

void checkYamlLimits(const YAML::Node& root, const YamlLimits& limits) { Walker(limits).visit(root, 0); }

}  // namespace hangar::config
