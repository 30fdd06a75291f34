#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::runner {

/// A command line that cannot be split (an unterminated quote); the offset is where the problem starts.
class ShellWordsError : public std::invalid_argument {
 public:
  ShellWordsError(const std::string& message, std::size_t offset, int line, int column)
      : std::invalid_argument(message), offset_(offset), line_(line), column_(column) {}
  std::size_t offset() const { return offset_; }  // 0-based byte offset in the input
  int line() const { return line_; }              // 1-based
  int column() const { return column_; }          // 1-based, within the line

 private:
  std::size_t offset_;
  int line_;
  int column_;
};

/// Splits a command line into words like a POSIX shell, removing quotes, expanding nothing.
/// Rules (POSIX token recognition and quote removal, task-format.md §7 B4):
/// - unquoted space, tab and newline separate words; backslash-newline is removed (line continuation);
/// - an unquoted backslash makes the next character literal; a backslash at the very end stays literal;
/// - '...' is literal; inside "..." a backslash escapes only $ ` " \ and newline and stays otherwise;
/// - an unquoted '#' at the start of a word starts a comment that runs to the end of the line;
/// - nothing is expanded or globbed: $VAR, $(...), `...`, ~, * and shell operators (; | > &&) stay as
///   literal characters of the words they are in. Quotes inside $(...) are not nested: they are
///   ordinary quotes, so "$(date "+%s")" gives the word $(date +%s).
/// An empty quoted string ('' or "") is a word of its own. Unterminated quotes throw ShellWordsError.
std::vector<std::string> splitShellWords(std::string_view line);

/// Quotes a word so splitShellWords gives it back unchanged (for logs and `render`). Words made only of
/// [A-Za-z0-9_@%+=:,./-] are returned as they are; others are single-quoted, a ' becoming '\''.
std::string quoteShellWord(std::string_view word);

/// quoteShellWord of each word, joined by single spaces.
std::string joinShellWords(const std::vector<std::string>& words);

}  // namespace hangar::runner
