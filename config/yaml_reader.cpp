#include "config/yaml_reader.hpp"

#include <charconv>
#include <limits>
#include <map>

#include "config/key_suggestion.hpp"

namespace hangar::config {

namespace {

// yaml-cpp gives quoted scalars the tag "!" and plain ones "?"; an explicit tag is kept as written.
bool isQuoted(const YAML::Node& node) { return node.Tag() == "!"; }

bool isTagged(const YAML::Node& node, std::string_view tag) {
  return node.Tag() == std::string("tag:yaml.org,2002:") + std::string(tag) ||
         node.Tag() == "!!" + std::string(tag);
}

}  // namespace

SourcePosition YamlReader::position(const YAML::Node& node, const SourcePosition& fallback) const {
  // A null value's mark points at the next token, which may be lines below; use the key's place.
  const SourcePosition otherwise = fallback.line > 0 ? fallback : SourcePosition{lines_.file};
  if (!node.IsDefined() || node.IsNull()) return otherwise;
  const YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0) return otherwise;
  return lines_.map(mark.line + 1, mark.column + 1);
}

std::string YamlReader::describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "nothing";
    case YAML::NodeType::Scalar:
      break;
  }
  std::string text = node.Scalar();
  if (text.size() > 40 || text.find('\n') != std::string::npos) return "a string";
  return (isQuoted(node) ? "the quoted string \"" : "'") + text + (isQuoted(node) ? "\"" : "'");
}

void YamlReader::forEachEntry(const YAML::Node& map, std::string_view where,
                              std::span<const std::string_view> known, const EntryHandler& handler) {
  std::map<std::string, SourcePosition> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node keyNode = it->first;
    SourcePosition keyPosition = position(keyNode, position(map));
    if (!keyNode.IsScalar()) {
      diagnostics_.error(keyPosition,
                         "a key in " + std::string(where) + " must be a name, got " + describe(keyNode));
      continue;
    }
    const std::string& key = keyNode.Scalar();
    if (auto [first, inserted] = seen.emplace(key, keyPosition); !inserted) {
      diagnostics_.error(keyPosition, "duplicate key '" + key + "' in " + std::string(where) +
                                          " (first given at line " + std::to_string(first->second.line) +
                                          ")");
      continue;
    }
    if (!handler(key, keyPosition, it->second)) {
      diagnostics_.error(keyPosition,
                         "unknown key '" + key + "' in " + std::string(where) + didYouMean(key, known));
    }
  }
}

bool YamlReader::expectMap(const YAML::Node& value, std::string_view key, const SourcePosition& keyPosition) {
  if (value.IsMap()) return true;
  diagnostics_.error(
      position(value, keyPosition),
      "'" + std::string(key) + "' must be a map of key: value entries, got " + describe(value));
  return false;
}

bool YamlReader::expectList(const YAML::Node& value, std::string_view key,
                            const SourcePosition& keyPosition) {
  if (value.IsSequence()) return true;
  diagnostics_.error(
      position(value, keyPosition),
      "'" + std::string(key) + "' must be a list (`- item` lines or [a, b]), got " + describe(value));
  return false;
}

std::optional<std::string> YamlReader::string(const YAML::Node& value, std::string_view key,
                                              const SourcePosition& keyPosition) {
  if (value.IsNull()) return std::nullopt;
  if (value.IsScalar()) return value.Scalar();
  diagnostics_.error(position(value, keyPosition),
                     "'" + std::string(key) + "' must be a string, got " + describe(value));
  return std::nullopt;
}

std::optional<int> YamlReader::integer(const YAML::Node& value, std::string_view key,
                                       const SourcePosition& keyPosition) {
  if (value.IsNull()) return std::nullopt;
  return integerValue(value, "'" + std::string(key) + "'", keyPosition);
}

std::optional<int> YamlReader::integerValue(const YAML::Node& value, const std::string& label,
                                            const SourcePosition& keyPosition) {
  const SourcePosition at = position(value, keyPosition);
  if (!value.IsScalar()) {
    diagnostics_.error(at, label + " must be an integer, got " + describe(value));
    return std::nullopt;
  }
  // Like yaml.v2, a quoted number is a string and does not fit an integer field.
  if (isQuoted(value) || isTagged(value, "str")) {
    diagnostics_.error(
        at, label + " must be an integer, got " + describe(value) + " (write the number without quotes)");
    return std::nullopt;
  }
  std::string_view text = value.Scalar();
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  long long number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  const bool whole = error == std::errc() && end == text.data() + text.size() && !text.empty();
  if (error == std::errc::result_out_of_range ||
      (whole && (number < std::numeric_limits<int>::min() || number > std::numeric_limits<int>::max()))) {
    diagnostics_.error(at, label + " is out of range: " + std::string(text));
    return std::nullopt;
  }
  if (whole) return static_cast<int>(number);
  diagnostics_.error(at, label + " must be an integer, got " + describe(value));
  return std::nullopt;
}

std::optional<bool> YamlReader::boolean(const YAML::Node& value, std::string_view key,
                                        const SourcePosition& keyPosition) {
  if (value.IsNull()) return std::nullopt;
  bool result = false;
  // yaml-cpp's bool conversion accepts the YAML 1.1 words yaml.v2 accepts (true/false, yes/no, on/off).
  if (value.IsScalar() && !isQuoted(value) && !isTagged(value, "str") &&
      YAML::convert<bool>::decode(value, result))
    return result;
  diagnostics_.error(position(value, keyPosition),
                     "'" + std::string(key) + "' must be true or false, got " + describe(value));
  return std::nullopt;
}

bool YamlReader::appendStrings(const YAML::Node& list, std::string_view key,
                               const SourcePosition& keyPosition, bool flatten,
                               std::vector<PositionedString>& out) {
  bool ok = true;
  for (const YAML::Node& item : list) {
    const SourcePosition at = position(item, position(list, keyPosition));
    if (item.IsScalar()) {
      out.push_back({item.Scalar(), at});
    } else if (item.IsSequence() && flatten) {
      ok = appendStrings(item, key, keyPosition, flatten, out) && ok;
    } else {
      diagnostics_.error(at,
                         "each entry of '" + std::string(key) + "' must be a string, got " + describe(item));
      ok = false;
    }
  }
  return ok;
}

std::optional<std::vector<PositionedString>> YamlReader::stringList(const YAML::Node& value,
                                                                    std::string_view key,
                                                                    const SourcePosition& keyPosition,
                                                                    bool flatten) {
  if (value.IsNull()) return std::vector<PositionedString>{};
  if (!expectList(value, key, keyPosition)) return std::nullopt;
  std::vector<PositionedString> out;
  if (!appendStrings(value, key, keyPosition, flatten, out)) return std::nullopt;
  return out;
}

std::optional<std::vector<int>> YamlReader::integerList(const YAML::Node& value, std::string_view key,
                                                        const SourcePosition& keyPosition) {
  if (value.IsNull()) return std::vector<int>{};
  if (!expectList(value, key, keyPosition)) return std::nullopt;
  std::vector<int> out;
  bool ok = true;
  const std::string label = "each entry of '" + std::string(key) + "'";
  for (const YAML::Node& item : value) {
    if (item.IsNull()) {
      diagnostics_.error(position(value, keyPosition), label + " must be an integer, got nothing");
      ok = false;
    } else if (auto number = integerValue(item, label, keyPosition)) {
      out.push_back(*number);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace hangar::config
