#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/go_template.hpp"
#include "config/task.hpp"
#include "config/template_data.hpp"

namespace hangar::config {

/// The largest task file loadTask reads (ACR task files are a few KiB).
inline constexpr std::size_t kMaxTaskFileBytes = std::size_t(4) << 20;

/// Where a task's text comes from and what its templates can see.
struct LoadOptions {
  std::string fileName;              // for messages
  std::string text;                  // the raw task file
  std::filesystem::path contextDir;  // alias src files are relative to it; empty = none
  TemplateData data;                 // .Run, .Values (already merged), .Secrets
  std::function<std::string(const std::string&)> fetchUrl;  // alias src URLs; may be empty
  /// The Key Vault seam (§3.4): when set and the text contains "secrets", the task is rendered once
  /// with empty .Secrets, its `secrets:` are passed here, and the values returned are added to
  /// .Secrets for the final render. Empty: one render with data.secrets as given.
  std::function<std::map<std::string, std::string>(const std::vector<SecretSpec>&)> resolveSecrets;
  TemplateOptions templateOptions;  // the clock behind `now`
};

/// The rendered text (for `hangar render`) and the parsed task.
struct LoadedTask {
  std::string renderedText;
  Task task;
  Diagnostics diagnostics;                          // warnings (errors throw)
  std::map<std::string, std::string> imageAliases;  // the alias map; empty when aliases are off
};

/// comment strip -> version -> alias phase -> template render -> parseTask -> image alias expansion of
/// each cmd's first token (§0). Positions in diagnostics point at `options.fileName`'s lines, through
/// every phase (multi-line alias values and template output map to the line that produced them).
/// The raw text must be at most kMaxTaskFileBytes of UTF-8 without NUL bytes.
/// Throws TaskError (with all diagnostics) when the task cannot be loaded.
LoadedTask loadTask(const LoadOptions& options);

/// Renders only (no parse), for `hangar render`. Throws TaskError.
std::string renderTask(const LoadOptions& options);

/// The text `az acr run --cmd X` turns into (§5): version v1.1.0, one cmd step with
/// disableWorkingDirectoryOverride and the timeout (left out when not positive). The command is written
/// as a YAML literal block, so quotes, ':' and '#' in it need no escaping.
std::string commandTaskText(const std::string& cmd, int timeoutSeconds);

}  // namespace hangar::config
