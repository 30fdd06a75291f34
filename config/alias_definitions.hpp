#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/source_text.hpp"
#include "config/task.hpp"

namespace hangar::config {

/// The `alias:` block (§3.5) read from its rendered text, with where each part was written.
struct AliasBlock {
  AliasSpec spec;
  SourcePosition position;                               // the `alias:` line
  std::vector<SourcePosition> srcPositions;              // one per spec.src entry
  std::map<std::string, SourcePosition> valuePositions;  // per spec.values key
  SourcePosition directivePosition;
};

/// Reads a rendered alias block (`alias:` with `src`, `values`, `directive`). An empty or null block
/// gives an empty spec; type errors are diagnostics, unknown keys warnings. Returns nothing on errors.
std::optional<AliasBlock> parseAliasBlock(const SourceText& block, Diagnostics& diagnostics);

/// Where alias `src` entries come from: local paths are read under `contextDir` (and may not leave
/// it); URLs (http/https) go to `fetchUrl`, which returns the body or throws.
struct AliasSources {
  std::filesystem::path contextDir;  // empty: the run has no context, local sources are errors
  std::function<std::string(const std::string& url)> fetchUrl;  // empty: URLs are errors
  std::string os = "linux";  // "windows" gets only the Run-variable defaults
};

/// The alias map and directive a task substitutes with.
struct AliasDefinitions {
  std::map<std::string, std::string> values;
  char32_t directive = U'$';
};

/// The global default aliases (§3.5): ID, SharedVolume, Registry, RegistryName, Date, OS, Architecture,
/// Commit, Branch as `{{.Run.X}}` templates, and on Linux the acr, az, bash, curl and cssc images.
std::map<std::string, std::string> globalDefaultAliases(const std::string& os);

/// Builds the alias map with acb's precedence: alias.values, then the src files last to first, then the
/// global defaults (the first definition of a key wins); then checks that every key is [A-Za-z0-9]+ and
/// that the directive is one code point that is not alphanumeric. Problems are diagnostics; returns
/// nothing on errors.
std::optional<AliasDefinitions> loadAliasDefinitions(const AliasBlock& block, const AliasSources& sources,
                                                     Diagnostics& diagnostics);

}  // namespace hangar::config
