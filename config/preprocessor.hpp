#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "config/alias_definitions.hpp"
#include "config/diagnostic.hpp"
#include "config/go_template.hpp"
#include "config/source_text.hpp"
#include "config/task.hpp"

namespace hangar::config {

/// Drops every line whose trimmed text starts with '#' (§0 step 1; also inside block scalars, B5, which
/// gets a warning), normalises CRLF to LF and ends every line with '\n'. The LineMap of the result
/// points at the lines of `text`.
SourceText stripComments(std::string_view text, const std::string& fileName, Diagnostics& diagnostics);

/// The task's `version:` (§0 step 2): the value of the first line that starts with `version`
/// (optionally quoted) followed by ':', quotes and a trailing comment removed.
/// A task's `version:` value and the task-file line it is on.
struct TaskVersion {
  std::string value;  // empty when there is none
  int line = 0;       // in the task file; 0 when there is none
};
TaskVersion findVersion(const SourceText& source);

/// Whether a version enables aliases: `version >= "v1.1.0"` compared byte-wise, as ACR does (B3), so
/// V1.1.0 and 1.1.0 do not.
bool aliasesEnabled(std::string_view version);

/// The `alias:` block split from the rest of the text (§0 step 3): it starts at a line matching
/// `alias\s*:` and ends before the next line that looks like a top-level key.
/// The alias block and the rest of a text, each with its own line map.
struct AliasSplit {
  SourceText alias;
  SourceText rest;
};
AliasSplit splitAliasSection(const SourceText& source);

/// Everything the text phases need besides the text: what the alias block's templates see, and where
/// alias sources come from.
struct PreprocessOptions {
  nlohmann::json templateRoot = nlohmann::json::object();  // see templateRoot()
  TemplateOptions templateOptions;
  AliasSources aliasSources;
};

/// The task text after the phases before the main template pass.
struct PreprocessedTask {
  SourceText text;  // comments stripped; with aliases on, alias block removed and aliases substituted
  TaskVersion version;
  bool aliasesEnabled = false;
  std::optional<AliasSpec> alias;              // the alias block as rendered, when aliases are on
  std::map<std::string, std::string> aliases;  // the alias map (with defaults), when aliases are on
};

/// Comment stripping, version detection and the alias phase (render the alias block, build the alias
/// map, substitute). Problems go to `diagnostics` at task-file positions; when it reports errors the
/// result is as far as it got.
PreprocessedTask preprocessTask(std::string_view text, const std::string& fileName,
                                const PreprocessOptions& options, Diagnostics& diagnostics);

}  // namespace hangar::config
