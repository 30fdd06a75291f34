#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hangar::config {

/// One code point decoded from UTF-8 text. An invalid or truncated sequence decodes as U+FFFD with
/// `length` 1 and `valid` false, as Go's utf8.DecodeRuneInString does.
struct Utf8Char {
  char32_t codePoint = 0;
  std::size_t length = 0;
  bool valid = false;
};

/// Decodes the code point starting at byte `pos` of `text` (pos < text.size()).
Utf8Char decodeUtf8(std::string_view text, std::size_t pos);

/// Appends the UTF-8 encoding of `codePoint` to `out`.
void appendUtf8(std::string& out, char32_t codePoint);

/// The number of code points in `text` (an invalid byte counts as one).
std::size_t utf8Length(std::string_view text);

}  // namespace hangar::config
