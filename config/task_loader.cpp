#include "config/task_loader.hpp"

#include "config/alias_substitution.hpp"
#include "config/preprocessor.hpp"
#include "config/task_parser.hpp"
#include "config/utf8.hpp"

namespace hangar::config {
namespace {

/// The text after the alias phase and the final template render.
struct RenderedTask {
  PreprocessedTask preprocessed;
  SourceText text;
};

void throwIfErrors(const Diagnostics& diagnostics) {
  if (diagnostics.hasErrors()) throw TaskError(diagnostics);
}

SourceText render(const SourceText& in, const TemplateData& data, const TemplateOptions& options,
                  Diagnostics& diagnostics) {
  try {
    RenderedTemplate r = renderGoTemplate(in.text, templateRoot(data), options);
    return {std::move(r.text), composeLines(in.lines, r.lineOrigins)};
  } catch (const TemplateError& e) {
    diagnostics.error(in.lines.map(e.line(), e.column()), "template: " + e.message());
    throw TaskError(diagnostics);
  }
}

/// The raw file must be small, NUL-free UTF-8 (yaml.v2, behind ACR, refuses the same); errors point at
/// the first offending byte.
void checkRawText(const LoadOptions& options, Diagnostics& diagnostics) {
  const std::string& text = options.text;
  if (text.size() > kMaxTaskFileBytes) {
    diagnostics.error({options.fileName}, "the task file is " + std::to_string(text.size()) +
                                              " bytes; the limit is " +
                                              std::to_string(kMaxTaskFileBytes >> 20) + " MiB");
    throw TaskError(diagnostics);
  }
  int line = 1;
  int column = 1;
  for (std::size_t pos = 0; pos < text.size();) {
    const Utf8Char ch = decodeUtf8(text, pos);
    if (!ch.valid || ch.codePoint == 0) {
      diagnostics.error({options.fileName, line, column},
                        ch.valid ? "the task file contains a NUL byte"
                                 : "the task file is not valid UTF-8 (byte " + std::to_string(pos) + ")");
      throw TaskError(diagnostics);
    }
    pos += ch.length;
    if (ch.codePoint == U'\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
}

RenderedTask renderAll(const LoadOptions& options, Diagnostics& diagnostics) {
  checkRawText(options, diagnostics);
  PreprocessOptions pre;
  pre.templateRoot = templateRoot(options.data);
  pre.templateOptions = options.templateOptions;
  pre.aliasSources = {options.contextDir, options.fetchUrl, options.data.run.os};
  RenderedTask out;
  out.preprocessed = preprocessTask(options.text, options.fileName, pre, diagnostics);
  throwIfErrors(diagnostics);

  TemplateData data = options.data;
  if (options.resolveSecrets && out.preprocessed.text.text.find("secrets") != std::string::npos) {
    TemplateData firstPass = data;
    firstPass.secrets.clear();
    const SourceText first = render(out.preprocessed.text, firstPass, options.templateOptions, diagnostics);
    Diagnostics firstDiagnostics;
    const std::optional<Task> task = parseTask(first.text, first.lines, firstDiagnostics);
    if (!task) {
      diagnostics.append(firstDiagnostics);
      throw TaskError(diagnostics);
    }
    if (!task->secrets.empty())
      for (auto& [id, value] : options.resolveSecrets(task->secrets)) data.secrets[id] = value;
  }
  out.text = render(out.preprocessed.text, data, options.templateOptions, diagnostics);
  return out;
}

/// Indents every line of `text` by `indent` spaces (blank lines stay empty).
std::string indentLines(const std::string& text, const std::string& indent) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    out += (line.empty() ? "" : indent + line) + "\n";
    start = end + 1;
  }
  return out;
}

}  // namespace

LoadedTask loadTask(const LoadOptions& options) {
  LoadedTask loaded;
  RenderedTask rendered = renderAll(options, loaded.diagnostics);
  std::optional<Task> task = parseTask(rendered.text.text, rendered.text.lines, loaded.diagnostics);
  throwIfErrors(loaded.diagnostics);
  if (!task) throw TaskError(loaded.diagnostics);
  loaded.task = std::move(*task);
  if (loaded.task.file.empty()) loaded.task.file = options.fileName;
  if (rendered.preprocessed.aliasesEnabled) {
    loaded.imageAliases = rendered.preprocessed.aliases;
    loaded.task.alias = rendered.preprocessed.alias.value_or(AliasSpec{});
    for (Step& step : loaded.task.steps)
      if (auto expanded = expandImageAlias(step.cmd, loaded.imageAliases)) step.cmd = std::move(*expanded);
  }
  loaded.renderedText = std::move(rendered.text.text);
  return loaded;
}

std::string renderTask(const LoadOptions& options) {
  Diagnostics diagnostics;
  return renderAll(options, diagnostics).text.text;
}

std::string commandTaskText(const std::string& cmd, int timeoutSeconds) {
  constexpr const char* kSpace = " \t\r\n";
  const std::size_t first = cmd.find_first_not_of(kSpace);
  const std::string trimmed =
      first == std::string::npos ? "" : cmd.substr(first, cmd.find_last_not_of(kSpace) - first + 1);
  std::string text = "version: v1.1.0\nsteps:\n  - cmd: |-\n" + indentLines(trimmed, "      ") +
                     "    disableWorkingDirectoryOverride: true\n";
  if (timeoutSeconds > 0) text += "    timeout: " + std::to_string(timeoutSeconds) + "\n";
  return text;
}

}  // namespace hangar::config
