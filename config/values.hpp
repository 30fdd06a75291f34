#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::config {

/// How `--set K=V` values are typed. acb serialises the pairs with yaml.Marshal, which quotes any string
/// that would read back as a number or bool, so in ACR every --set value is a string (`--set n=5` is
/// "5"). `Scalars` re-reads the text as a YAML 1.1 plain scalar instead (5 -> int, true -> bool,
/// null -> deletes the key).
enum class SetValueTyping { Strings, Scalars };

/// A YAML 1.1 plain scalar resolved as gopkg.in/yaml.v2 does into interface{}: null (~, null, empty),
/// bool (true/false, yes/no, on/off, y/n in their three casings), int (decimal, 0x, 0o, 0b, leading-0
/// octal, '_' separators; uint64 or float when too large), float (1.5, 1e3, .inf, .nan), else the
/// text as a string (timestamps stay strings).
nlohmann::json resolveYamlScalar(std::string_view plain);

/// A YAML node as JSON, scalars resolved as yaml.v2 does (quoted and block scalars stay strings), `<<`
/// merge keys applied. Throws std::invalid_argument for a map key that is not a scalar.
nlohmann::json yamlToJson(const YAML::Node& node);

/// A values file (§3.3): a YAML map, or empty. Throws TaskError naming `fileName` and the line and
/// column of a syntax error, or saying the document is not a map.
nlohmann::json parseValuesYaml(std::string_view text, const std::string& fileName);

/// `--set K=V` pairs (§3.3) as a flat JSON map: split at the first '=', later duplicates win, dotted
/// keys are not nested (acb does not). Throws TaskError (file "--set") for a pair without '=' or with an
/// empty key; messages never repeat the value (it may be a --set-secret).
nlohmann::json parseSetValues(const std::vector<std::string>& pairs,
                              SetValueTyping typing = SetValueTyping::Strings);

/// `overrides` (--set) merged into `base` (the values file) recursively: overrides win, a null override
/// deletes the key, and a map/scalar clash keeps the base value and appends a warning naming the key.
nlohmann::json mergeValues(const nlohmann::json& base, const nlohmann::json& overrides,
                           std::vector<std::string>& warnings);

}  // namespace hangar::config
