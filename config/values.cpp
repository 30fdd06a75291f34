#include "config/values.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "config/diagnostic.hpp"
#include "config/yaml_limits.hpp"

namespace hangar::config {
namespace {

bool isDigits(std::string_view s, std::string_view valid) {
  return !s.empty() && s.find_first_not_of(valid) == std::string_view::npos;
}

/// yaml.v2's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool isYamlFloat(std::string_view s) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

/// Go's strconv.ParseInt(s, 0, 64) / ParseUint: sign, then 0x, 0o, 0b, leading-0 octal or decimal.
std::optional<nlohmann::json> parseGoInteger(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  std::string_view digits = s;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16, digits = s.substr(2);
    if (!isDigits(digits, "0123456789abcdefABCDEF")) return std::nullopt;
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    base = 8, digits = s.substr(2);
    if (!isDigits(digits, "01234567")) return std::nullopt;
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2, digits = s.substr(2);
    if (!isDigits(digits, "01")) return std::nullopt;
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8, digits = s.substr(1);
    if (!isDigits(digits, "01234567")) return std::nullopt;
  } else if (!isDigits(digits, "0123456789")) {
    return std::nullopt;
  }
  errno = 0;
  const std::string text(digits);
  const unsigned long long value = std::strtoull(text.c_str(), nullptr, base);
  if (errno == ERANGE) return std::nullopt;
  constexpr auto kMax = static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (value > kMax + 1) return std::nullopt;
    return nlohmann::json(value == kMax + 1 ? std::numeric_limits<std::int64_t>::min()
                                            : -static_cast<std::int64_t>(value));
  }
  if (value > kMax) return nlohmann::json(static_cast<std::uint64_t>(value));
  return nlohmann::json(static_cast<std::int64_t>(value));
}

bool isOneOf(std::string_view s, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words)
    if (s == w) return true;
  return false;
}

void mergeInto(nlohmann::json& base, const nlohmann::json& overrides, const std::string& prefix,
               std::vector<std::string>& warnings) {
  for (const auto& [key, value] : overrides.items()) {
    const std::string name = prefix + key;
    if (value.is_null()) {
      base.erase(key);
      continue;
    }
    auto it = base.find(key);
    if (it == base.end()) {
      base[key] = value;
    } else if (it->is_object() && value.is_object()) {
      mergeInto(*it, value, name + ".", warnings);
    } else if (it->is_object() != value.is_object()) {
      warnings.push_back("value '" + name + "': cannot override " +
                         (it->is_object() ? "a map with a scalar" : "a scalar with a map") +
                         "; kept the values file's " + (it->is_object() ? "map" : "value"));
    } else {
      *it = value;
    }
  }
}

}  // namespace

nlohmann::json resolveYamlScalar(std::string_view plain) {
  if (isOneOf(plain, {"", "~", "null", "Null", "NULL"})) return nullptr;
  if (isOneOf(plain, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"})) return true;
  if (isOneOf(plain, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"}))
    return false;
  if (isOneOf(plain, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}))
    return std::numeric_limits<double>::infinity();
  if (isOneOf(plain, {"-.inf", "-.Inf", "-.INF"})) return -std::numeric_limits<double>::infinity();
  if (isOneOf(plain, {".nan", ".NaN", ".NAN"})) return std::numeric_limits<double>::quiet_NaN();
  const char first = plain[0];
  if ((first >= '0' && first <= '9') || first == '+' || first == '-' || first == '.') {
    std::string cleaned(plain);
    std::erase(cleaned, '_');
    if (auto integer = parseGoInteger(cleaned)) return *integer;
    if (isYamlFloat(cleaned)) return std::strtod(cleaned.c_str(), nullptr);
  }
  return std::string(plain);
}

nlohmann::json yamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      if (tag == "?") return resolveYamlScalar(node.Scalar());
      if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
          tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null")
        return resolveYamlScalar(node.Scalar());
      return node.Scalar();
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const YAML::Node& item : node) out.push_back(yamlToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      std::vector<nlohmann::json> merges;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) throw std::invalid_argument("a map key is not a scalar");
        const std::string key = entry.first.Scalar();
        if (key == "<<" && entry.first.Tag() == "?") {
          merges.push_back(yamlToJson(entry.second));
          continue;
        }
        out[key] = yamlToJson(entry.second);
      }
      for (const nlohmann::json& merge : merges) {
        const auto apply = [&](const nlohmann::json& map) {
          if (!map.is_object()) throw std::invalid_argument("a << merge value is not a map");
          for (const auto& [k, v] : map.items())
            if (!out.contains(k)) out[k] = v;
        };
        if (merge.is_array())
          for (const auto& m : merge) apply(m);
        else
          apply(merge);
      }
      return out;
    }
  }
  return nullptr;
}

nlohmann::json parseValuesYaml(std::string_view text, const std::string& fileName) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
    checkYamlLimits(root);
  } catch (const YamlLimitError& e) {
    throw TaskError(
        Diagnostic{Severity::Error, {fileName, e.mark().line + 1, e.mark().column + 1}, e.what()});
  } catch (const YAML::ParserException& e) {
    throw TaskError(Diagnostic{Severity::Error, {fileName, e.mark.line + 1, e.mark.column + 1}, e.msg});
  }
  if (!root.IsDefined() || root.IsNull()) return nlohmann::json::object();
  if (!root.IsMap())
    throw TaskError(Diagnostic{Severity::Error,
                               {fileName, root.Mark().line + 1, root.Mark().column + 1},
                               "a values file must be a map of names to values"});
  try {
    return yamlToJson(root);
  } catch (const std::invalid_argument& e) {
    throw TaskError(Diagnostic{Severity::Error, {fileName, 0, 0}, e.what()});
  }
}

nlohmann::json parseSetValues(const std::vector<std::string>& pairs, SetValueTyping typing) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    const std::string& pair = pairs[k];
    const std::size_t eq = pair.find('=');
    const std::string which = "value " + std::to_string(k + 1) + " of " + std::to_string(pairs.size());
    if (eq == std::string::npos)
      throw TaskError(Diagnostic{Severity::Error, {"--set", 0, 0}, which + " is not KEY=VALUE (no '=')"});
    if (eq == 0) throw TaskError(Diagnostic{Severity::Error, {"--set", 0, 0}, which + " has an empty key"});
    const std::string key = pair.substr(0, eq);
    const std::string value = pair.substr(eq + 1);
    out[key] = typing == SetValueTyping::Strings ? nlohmann::json(value) : resolveYamlScalar(value);
  }
  return out;
}

nlohmann::json mergeValues(const nlohmann::json& base, const nlohmann::json& overrides,
                           std::vector<std::string>& warnings) {
  nlohmann::json out = base.is_object() ? base : nlohmann::json::object();
  if (overrides.is_object()) mergeInto(out, overrides, "", warnings);
  return out;
}

}  // namespace hangar::config
