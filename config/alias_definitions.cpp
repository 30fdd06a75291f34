#include "config/alias_definitions.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "config/utf8.hpp"

namespace hangar::config {
namespace {

bool isAliasKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

bool isUrl(std::string_view s) {
  const auto startsWithNoCase = [&](std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
  };
  return startsWithNoCase("http://") || startsWithNoCase("https://");
}

/// Where a yaml-cpp node of `block` was written in the task file; `fallback` when it has no mark.
SourcePosition positionOf(const YAML::Node& node, const SourceText& block, const SourcePosition& fallback) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return fallback;
  return block.lines.map(mark.line + 1, mark.column + 1);
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    default:
      return "nothing";
  }
}

std::string readLocalSource(const std::string& entry, const std::filesystem::path& contextDir) {
  namespace fs = std::filesystem;
  if (contextDir.empty()) throw std::runtime_error("it is a local file but the run has no source context");
  fs::path root = fs::weakly_canonical(contextDir);
  if (!root.has_filename()) root = root.parent_path();
  const fs::path file = fs::weakly_canonical(root / entry);
  const auto [rootEnd, fileIt] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  if (rootEnd != root.end()) throw std::runtime_error("it points outside the source context");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

/// Adds the entries of one alias file that are not defined yet; errors name the file.
void addAliasFile(const std::string& entry, const std::string& content, const SourcePosition& position,
                  std::map<std::string, std::string>& values, std::map<std::string, SourcePosition>& origins,
                  Diagnostics& diagnostics) {
  const std::string label = "alias src '" + entry + "'";
  YAML::Node root;
  try {
    root = YAML::Load(content);
  } catch (const YAML::ParserException& e) {
    diagnostics.error(position, label + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
    return;
  }
  if (!root.IsDefined() || root.IsNull()) return;
  if (!root.IsMap()) {
    diagnostics.error(position, label + ": must be a map of alias names to values, got " + describe(root));
    return;
  }
  for (const auto& item : root) {
    if (!item.first.IsScalar() || !(item.second.IsScalar() || item.second.IsNull())) {
      diagnostics.error(position, label + ": line " + std::to_string(item.first.Mark().line + 1) +
                                      ": alias values must be single values");
      continue;
    }
    const std::string key = item.first.Scalar();
    if (values.count(key)) continue;
    values[key] = item.second.IsNull() ? "" : item.second.Scalar();
    origins[key] = position;
  }
}

}  // namespace

std::optional<AliasBlock> parseAliasBlock(const SourceText& block, Diagnostics& diagnostics) {
  const std::size_t errorsBefore = diagnostics.all().size();
  const SourcePosition blockStart = block.lines.map(1, 1);
  AliasBlock out;
  out.position = blockStart;
  YAML::Node root;
  try {
    root = YAML::Load(block.text);
  } catch (const YAML::ParserException& e) {
    diagnostics.error(block.lines.map(e.mark.line + 1, e.mark.column + 1), "alias block: " + e.msg);
    return std::nullopt;
  }
  if (!root.IsDefined() || root.IsNull()) return out;
  if (!root.IsMap()) {
    diagnostics.error(blockStart, "alias block: expected 'alias:' with a map");
    return std::nullopt;
  }
  const YAML::Node alias = root["alias"];
  if (!alias || alias.IsNull()) return out;
  if (!alias.IsMap()) {
    diagnostics.error(positionOf(alias, block, blockStart), "'alias' must be a map, got " + describe(alias));
    return std::nullopt;
  }
  for (const auto& entry : alias) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
    const SourcePosition keyPosition = positionOf(entry.first, block, blockStart);
    const YAML::Node& value = entry.second;
    if (key == "src") {
      if (value.IsNull()) continue;
      if (!value.IsSequence()) {
        diagnostics.error(keyPosition, "'alias.src' must be a list of files or URLs, got " + describe(value));
        continue;
      }
      for (const YAML::Node& item : value) {
        if (!item.IsScalar()) {
          diagnostics.error(positionOf(item, block, keyPosition),
                            "'alias.src' entries must be file names or URLs");
          continue;
        }
        out.spec.src.push_back(item.Scalar());
        out.srcPositions.push_back(positionOf(item, block, keyPosition));
      }
    } else if (key == "values") {
      if (value.IsNull()) continue;
      if (!value.IsMap()) {
        diagnostics.error(keyPosition,
                          "'alias.values' must be a map of alias names to values, got " + describe(value));
        continue;
      }
      for (const auto& item : value) {
        const SourcePosition itemPosition = positionOf(item.first, block, keyPosition);
        if (!item.first.IsScalar() || !(item.second.IsScalar() || item.second.IsNull())) {
          diagnostics.error(itemPosition,
                            "alias values must be single values (use a | block for several lines)");
          continue;
        }
        out.spec.values[item.first.Scalar()] = item.second.IsNull() ? "" : item.second.Scalar();
        out.valuePositions[item.first.Scalar()] = itemPosition;
      }
    } else if (key == "directive") {
      if (!value.IsScalar()) {
        diagnostics.error(keyPosition, "'alias.directive' must be a single character");
        continue;
      }
      out.spec.directive = value.Scalar();
      out.directivePosition = positionOf(value, block, keyPosition);
    } else {
      diagnostics.warning(keyPosition,
                          "unknown key '" + key + "' in alias is ignored (known: src, values, directive)");
    }
  }
  for (std::size_t i = errorsBefore; i < diagnostics.all().size(); ++i)
    if (diagnostics.all()[i].severity == Severity::Error) return std::nullopt;
  return out;
}

std::map<std::string, std::string> globalDefaultAliases(const std::string& os) {
  std::map<std::string, std::string> aliases;
  for (const char* name :
       {"ID", "SharedVolume", "Registry", "RegistryName", "Date", "OS", "Architecture", "Commit", "Branch"})
    aliases[name] = std::string("{{.Run.") + name + "}}";
  if (os != "windows") {
    aliases["acr"] = "mcr.microsoft.com/acr/acr-cli:0.19";
    aliases["az"] = "mcr.microsoft.com/acr/azure-cli:2ff604c";
    aliases["bash"] = "mcr.microsoft.com/acr/bash:2ff604c";
    aliases["curl"] = "mcr.microsoft.com/acr/curl:2ff604c";
    aliases["cssc"] = "mcr.microsoft.com/acr/cssc:2ff604c";
  }
  return aliases;
}

std::optional<AliasDefinitions> loadAliasDefinitions(const AliasBlock& block, const AliasSources& sources,
                                                     Diagnostics& diagnostics) {
  const std::size_t errorsBefore = diagnostics.all().size();
  AliasDefinitions out;
  out.values = block.spec.values;
  std::map<std::string, SourcePosition> origins = block.valuePositions;

  for (std::size_t i = block.spec.src.size(); i-- > 0;) {  // later sources win over earlier ones
    const std::string& entry = block.spec.src[i];
    const SourcePosition position = i < block.srcPositions.size() ? block.srcPositions[i] : block.position;
    std::string content;
    try {
      if (isUrl(entry)) {
        if (!sources.fetchUrl) throw std::runtime_error("remote alias sources are not supported here");
        content = sources.fetchUrl(entry);
      } else {
        content = readLocalSource(entry, sources.contextDir);
      }
    } catch (const std::exception& e) {
      diagnostics.error(position, "alias src '" + entry + "': " + e.what());
      continue;
    }
    addAliasFile(entry, content, position, out.values, origins, diagnostics);
  }

  for (auto& [key, value] : globalDefaultAliases(sources.os)) out.values.emplace(key, value);

  for (const auto& [key, value] : out.values) {
    if (isAliasKey(key)) continue;
    const auto origin = origins.find(key);
    diagnostics.error(origin != origins.end() ? origin->second : block.position,
                      "alias name '" + key + "' may only contain letters and digits");
  }

  const std::string& directive = block.spec.directive;
  if (!directive.empty()) {
    const Utf8Char ch = decodeUtf8(directive, 0);
    const SourcePosition where = block.directivePosition.line > 0 ? block.directivePosition : block.position;
    if (!ch.valid || ch.length != directive.size())
      diagnostics.error(where, "the alias directive must be a single character, got '" + directive + "'");
    else if (isAliasKey(directive))
      diagnostics.error(where, "the alias directive may not be a letter or digit, got '" + directive + "'");
    else
      out.directive = ch.codePoint;
  }

  for (std::size_t i = errorsBefore; i < diagnostics.all().size(); ++i)
    if (diagnostics.all()[i].severity == Severity::Error) return std::nullopt;
  return out;
}

}  // namespace hangar::config
