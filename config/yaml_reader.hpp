#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/line_map.hpp"

namespace hangar::config {

/// A scalar read from YAML together with where it was written.
struct PositionedString {
  std::string value;
  SourcePosition position;
};

/// Reads typed values out of yaml-cpp nodes of one task file, reporting every type mismatch as an
/// error at the value's position (mapped through the LineMap) that names the key and the expected type.
/// A null value (`key:` with nothing after it) reads as absent, as in acr-builder's yaml.v2.
class YamlReader {
 public:
  YamlReader(const LineMap& lines, Diagnostics& diagnostics) : lines_(lines), diagnostics_(diagnostics) {}

  Diagnostics& diagnostics() { return diagnostics_; }
  const std::string& file() const { return lines_.file; }

  /// The original position of a node; `fallback` (when it has a line) for a node without a mark of
  /// its own, such as a null value.
  SourcePosition position(const YAML::Node& node, const SourcePosition& fallback = {}) const;

  /// The handler of one map entry: its key, the key's position and its value. Returns false when the
  /// key is not one it knows.
  using EntryHandler =
      std::function<bool(const std::string& key, const SourcePosition& keyPosition, const YAML::Node& value)>;

  /// Calls `handler` for each entry of `map` in file order. Duplicate and non-string keys are errors;
  /// a key the handler rejects is an error "unknown key 'x' in WHERE (did you mean 'y'?)" where the
  /// suggestion comes from `known`.
  void forEachEntry(const YAML::Node& map, std::string_view where, std::span<const std::string_view> known,
                    const EntryHandler& handler);

  /// Checks that `value` is a map; otherwise reports "'KEY' must be a map, got ...".
  bool expectMap(const YAML::Node& value, std::string_view key, const SourcePosition& keyPosition);
  /// Checks that `value` is a list; otherwise reports "'KEY' must be a list, got ...".
  bool expectList(const YAML::Node& value, std::string_view key, const SourcePosition& keyPosition);

  std::optional<std::string> string(const YAML::Node& value, std::string_view key,
                                    const SourcePosition& keyPosition);
  std::optional<int> integer(const YAML::Node& value, std::string_view key,
                             const SourcePosition& keyPosition);
  std::optional<bool> boolean(const YAML::Node& value, std::string_view key,
                              const SourcePosition& keyPosition);
  /// A list of scalars; each element keeps its position. Nested lists are an error unless `flatten`.
  std::optional<std::vector<PositionedString>> stringList(const YAML::Node& value, std::string_view key,
                                                          const SourcePosition& keyPosition,
                                                          bool flatten = false);
  std::optional<std::vector<int>> integerList(const YAML::Node& value, std::string_view key,
                                              const SourcePosition& keyPosition);

  /// "a map", "a list", "the string \"x\"" ...: what a node is, for messages. Never prints more than a
  /// short prefix of a scalar.
  static std::string describe(const YAML::Node& node);

 private:
  std::optional<int> integerValue(const YAML::Node& value, const std::string& label,
                                  const SourcePosition& keyPosition);
  bool appendStrings(const YAML::Node& list, std::string_view key, const SourcePosition& keyPosition,
                     bool flatten, std::vector<PositionedString>& out);

  const LineMap& lines_;
  Diagnostics& diagnostics_;
};

}  // namespace hangar::config
