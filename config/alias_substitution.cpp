#include "config/alias_substitution.hpp"

#include "config/utf8.hpp"

namespace hangar::config {
namespace {

bool isAliasCharacter(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// The substituted text and the original line of each of its lines.
class LineTrackingOutput {
 public:
  explicit LineTrackingOutput(const LineMap& input) : input_(input) {}

  /// Text copied from the input: its newline ends the current input line.
  void inputText(std::string_view s) {
    for (char c : s) {
      put(c);
      if (c == '\n') ++inputLine_;
    }
  }
  /// Inserted text: its lines all map to the current input line.
  void insertedText(std::string_view s) {
    for (char c : s) put(c);
  }

  SourceText take() {
    SourceText out;
    out.text = std::move(text_);
    out.lines.file = input_.file;
    out.lines.originalLine = std::move(origins_);
    return out;
  }

 private:
  void put(char c) {
    if (!lineOpen_) {
      origins_.push_back(input_.map(inputLine_ + 1, 0).line);
      lineOpen_ = true;
    }
    text_ += c;
    if (c == '\n') lineOpen_ = false;
  }

  const LineMap& input_;
  int inputLine_ = 0;
  bool lineOpen_ = false;
  std::string text_;
  std::vector<int> origins_;
};

}  // namespace

SourceText substituteAliases(const SourceText& source, const std::map<std::string, std::string>& aliases,
                             char32_t directive) {
  std::string directiveText;
  appendUtf8(directiveText, directive);
  LineTrackingOutput out(source.lines);
  const std::string_view text = source.text;
  bool ongoing = false;
  std::string command;
  for (std::size_t pos = 0; pos < text.size();) {
    const Utf8Char ch = decodeUtf8(text, pos);
    const std::string_view raw = text.substr(pos, ch.length);
    pos += ch.length;
    const bool isDirective = ch.valid && ch.codePoint == directive;
    if (!ongoing) {
      if (isDirective)
        ongoing = true;
      else
        out.inputText(raw);
      continue;
    }
    if (isDirective && command.empty()) {  // "$$": a literal directive
      out.inputText(directiveText);
      ongoing = false;
    } else if (!ch.valid || !isAliasCharacter(ch.codePoint)) {  // the name ends here
      const auto found = aliases.find(command);
      if (found == aliases.end()) {
        out.inputText(directiveText + command);
        out.inputText(raw);
        ongoing = false;
      } else {
        out.insertedText(found->second);
        if (!isDirective) {
          out.inputText(raw);
          ongoing = false;
        }
      }
      command.clear();
    } else {
      command += raw;
    }
  }
  if (ongoing) {  // the text ended inside a name (acb drops it; the text always ends with '\n' there)
    const auto found = aliases.find(command);
    if (found == aliases.end())
      out.inputText(directiveText + command);
    else
      out.insertedText(found->second);
  }
  return out.take();
}

std::optional<std::string> expandImageAlias(std::string_view cmd,
                                            const std::map<std::string, std::string>& aliases) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t first = cmd.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t last = cmd.find_last_not_of(kSpace);
  const std::string_view trimmed = cmd.substr(first, last - first + 1);
  const std::size_t end = std::min(trimmed.find_first_of(kSpace), trimmed.size());
  const auto found = aliases.find(std::string(trimmed.substr(0, end)));
  if (found == aliases.end()) return std::nullopt;
  return found->second + std::string(trimmed.substr(end));
}

}  // namespace hangar::config
