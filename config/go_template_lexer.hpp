#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::config::gotemplate {

/// The kinds of tokens of a Go template, as text/template/parse names them.
enum class TokenKind {
  Text,
  LeftDelim,
  RightDelim,
  Identifier,  // a function name or keyword (if, else, end, range, with, break, continue, ...)
  Field,       // .Name (text without the dot)
  Dot,         // .
  Variable,    // $ or $name (text with the $)
  String,      // "..." (text: the unquoted value)
  Number,      // text as written, or the code point of a 'c' constant in decimal
  Bool,        // true / false
  Nil,
  Pipe,
  LeftParen,
  RightParen,
  Declare,  // :=
  Assign,   // =
  Comma,
  EndOfInput,
};

/// One token of a Go template. Text tokens are already trimmed by {{- and -}}; `pos` is the byte offset
/// of the token (of the first kept byte for text). `spaceBefore` tells `.a.b` from `.a .b`.
struct Token {
  TokenKind kind = TokenKind::EndOfInput;
  std::size_t pos = 0;
  std::string text;
  bool spaceBefore = false;
};

/// Splits a template into tokens as Go's text/template lexer does, dropping comments. Throws
/// TemplateError (unclosed action, unterminated string, bad number, unexpected character, ...).
std::vector<Token> lexTemplate(std::string_view text);

/// Maps byte offsets of a text to 1-based lines and columns (columns count code points).
class TextIndex {
 public:
  explicit TextIndex(std::string_view text);
  int line(std::size_t offset) const;
  int column(std::size_t offset) const;

 private:
  std::string_view text_;
  std::vector<std::size_t> lineStarts_;
};

/// Throws TemplateError at `offset` of `text`.
[[noreturn]] void failAt(std::string_view text, std::size_t offset, const std::string& message);

}  // namespace hangar::config::gotemplate
