#include "config/preprocessor.hpp"

#include <cctype>

#include "config/alias_substitution.hpp"

namespace hangar::config {
namespace {

constexpr std::string_view kBlank = " \t\r\v\f";

bool isBlankChar(char c) { return kBlank.find(c) != std::string_view::npos || c == '\n'; }

std::string_view trimLeft(std::string_view s) {
  while (!s.empty() && isBlankChar(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  s = trimLeft(s);
  while (!s.empty() && isBlankChar(s.back())) s.remove_suffix(1);
  return s;
}

int indentOf(std::string_view line) {
  int n = 0;
  while (static_cast<std::size_t>(n) < line.size() && line[static_cast<std::size_t>(n)] == ' ') ++n;
  return n;
}

/// Whether a line ends with a block scalar indicator (`key: |`, `- >-`, `run: |2`).
bool opensBlockScalar(std::string_view line) {
  line = trim(line);
  const std::size_t space = line.find_last_of(" \t");
  std::string_view token = space == std::string_view::npos ? line : line.substr(space + 1);
  if (token.empty() || (token[0] != '|' && token[0] != '>')) return false;
  if (token.substr(1).find_first_not_of("-+123456789") != std::string_view::npos) return false;
  if (space == std::string_view::npos) return false;
  const std::string_view before = trim(line.substr(0, space));
  return !before.empty() && (before.back() == ':' || before.back() == '-');
}

/// Calls `f(lineIndex, line)` for each line of `text` (without its '\n' and a trailing '\r').
template <typename F>
void forEachLine(std::string_view text, F f) {
  std::size_t start = 0;
  int index = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f(index++, line);
    start = end + 1;
  }
}

bool isAliasStart(std::string_view line) {
  if (!line.starts_with("alias")) return false;
  const std::string_view rest = trimLeft(line.substr(5));
  return !rest.empty() && rest[0] == ':';
}

/// acb's top-level key test: `\A[^\s:]+[^:]*:.*\z`.
bool looksTopLevel(std::string_view line) {
  return !line.empty() && !isBlankChar(line[0]) && line[0] != ':' && line.find(':') != std::string_view::npos;
}

void appendLine(SourceText& out, std::string_view line, int originalLine) {
  out.text.append(line);
  out.text += '\n';
  out.lines.originalLine.push_back(originalLine);
}

/// Warns once when a task without aliases uses `$Registry`-style names that only aliases expand.
void warnAboutUnexpandedAliases(const SourceText& source, Diagnostics& diagnostics) {
  const std::map<std::string, std::string> defaults = globalDefaultAliases("linux");
  bool warned = false;
  forEachLine(source.text, [&](int index, std::string_view line) {
    for (std::size_t pos = line.find('$'); !warned && pos != std::string_view::npos;
         pos = line.find('$', pos + 1)) {
      std::size_t end = pos + 1;
      while (end < line.size() && std::isalnum(static_cast<unsigned char>(line[end]))) ++end;
      const std::string name(line.substr(pos + 1, end - pos - 1));
      if (name.empty() || !std::isupper(static_cast<unsigned char>(name[0])) || !defaults.count(name))
        continue;
      diagnostics.warning(source.lines.map(index + 1, static_cast<int>(pos) + 1),
                          "'$" + name +
                              "' is not expanded: aliases need 'version: v1.1.0' or later (the host shell "
                              "would see it instead); use {{.Run." +
                              name + "}} or set the version");
      warned = true;
    }
  });
}

}  // namespace

SourceText stripComments(std::string_view text, const std::string& fileName, Diagnostics& diagnostics) {
  SourceText out;
  out.lines.file = fileName;
  bool inBlock = false;
  int blockParent = 0;
  forEachLine(text, [&](int index, std::string_view line) {
    const std::string_view trimmed = trimLeft(line);
    const bool blank = trimmed.empty();
    const int indent = indentOf(line);
    if (!blank && trimmed[0] == '#') {
      if (inBlock && indent > blockParent)
        diagnostics.warning(
            {fileName, index + 1, indent + 1},
            "this line starts with '#', so it is removed before templating although it is inside a "
            "block scalar, as ACR does (B5); to keep it, start it with {{\"#\"}}");
      return;
    }
    if (inBlock && !blank && indent <= blockParent) inBlock = false;
    if (!inBlock && opensBlockScalar(line)) {
      inBlock = true;
      blockParent = indent;
    }
    appendLine(out, line, index + 1);
  });
  return out;
}

TaskVersion findVersion(const SourceText& source) {
  TaskVersion found;
  forEachLine(source.text, [&](int index, std::string_view line) {
    if (found.line > 0) return;
    std::string_view rest;
    if (line.starts_with("version"))
      rest = line.substr(7);
    else if (line.starts_with("\"version\"") || line.starts_with("'version'"))
      rest = line.substr(9);
    else
      return;
    rest = trimLeft(rest);
    if (rest.empty() || rest[0] != ':') return;
    std::string_view value = trim(rest.substr(1));
    if (!value.empty() && (value[0] == '"' || value[0] == '\'')) {
      const std::size_t close = value.find(value[0], 1);
      value = close == std::string_view::npos ? value.substr(1) : value.substr(1, close - 1);
    } else {
      const std::size_t comment = value.find(" #");
      if (comment != std::string_view::npos) value = trim(value.substr(0, comment));
    }
    found.value = std::string(value);
    found.line = source.lines.map(index + 1, 0).line;
  });
  return found;
}

bool aliasesEnabled(std::string_view version) { return version >= std::string_view("v1.1.0"); }

AliasSplit splitAliasSection(const SourceText& source) {
  AliasSplit out;
  out.alias.lines.file = out.rest.lines.file = source.lines.file;
  bool inside = false;
  forEachLine(source.text, [&](int index, std::string_view line) {
    if (!inside && isAliasStart(line))
      inside = true;
    else if (inside && looksTopLevel(line))
      inside = false;
    appendLine(inside ? out.alias : out.rest, line, source.lines.map(index + 1, 0).line);
  });
  return out;
}

PreprocessedTask preprocessTask(std::string_view text, const std::string& fileName,
                                const PreprocessOptions& options, Diagnostics& diagnostics) {
  PreprocessedTask result;
  SourceText stripped = stripComments(text, fileName, diagnostics);
  result.version = findVersion(stripped);
  result.aliasesEnabled = aliasesEnabled(result.version.value);
  if (!result.aliasesEnabled) {
    std::string normalised = result.version.value;
    for (char& c : normalised) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!normalised.empty() && std::isdigit(static_cast<unsigned char>(normalised[0])))
      normalised = "v" + normalised;
    if (aliasesEnabled(normalised))
      diagnostics.warning(
          {fileName, result.version.line, 1},
          "version '" + result.version.value +
              "' does not enable aliases: ACR compares it byte-wise with \"v1.1.0\"; write 'v" +
              normalised.substr(1) + "'");
    forEachLine(stripped.text, [&](int index, std::string_view line) {
      if (isAliasStart(line))
        diagnostics.warning(stripped.lines.map(index + 1, 1),
                            "the alias block has no effect: aliases need 'version: v1.1.0' or later");
    });
    warnAboutUnexpandedAliases(stripped, diagnostics);
    result.text = std::move(stripped);
    return result;
  }

  AliasSplit split = splitAliasSection(stripped);
  result.text = split.rest;
  AliasBlock block;
  block.position = {fileName, 0, 0};
  if (!trim(split.alias.text).empty()) {
    SourceText rendered;
    try {
      RenderedTemplate r = renderGoTemplate(split.alias.text, options.templateRoot, options.templateOptions);
      rendered.text = std::move(r.text);
      rendered.lines = composeLines(split.alias.lines, r.lineOrigins);
    } catch (const TemplateError& e) {
      diagnostics.error(split.alias.lines.map(e.line(), e.column()), "template: " + e.message());
      return result;
    }
    std::optional<AliasBlock> parsed = parseAliasBlock(rendered, diagnostics);
    if (!parsed) return result;
    block = std::move(*parsed);
  }
  std::optional<AliasDefinitions> definitions =
      loadAliasDefinitions(block, options.aliasSources, diagnostics);
  if (!definitions) return result;
  result.alias = block.spec;
  result.aliases = definitions->values;
  result.text = substituteAliases(split.rest, definitions->values, definitions->directive);
  return result;
}

}  // namespace hangar::config
