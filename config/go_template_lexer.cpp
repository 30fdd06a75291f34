#include "config/go_template_lexer.hpp"

#include <algorithm>
#include <cstdio>

#include "config/go_template.hpp"
#include "config/utf8.hpp"

namespace hangar::config::gotemplate {
namespace {

constexpr std::string_view kLeftDelim = "{{";
constexpr std::string_view kRightDelim = "}}";

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlphaNumeric(char c) {
  return c == '_' || isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool hasLeftTrimMarker(std::string_view s) { return s.size() >= 2 && s[0] == '-' && isSpace(s[1]); }
bool hasRightTrimMarker(std::string_view s) { return s.size() >= 2 && isSpace(s[0]) && s[1] == '-'; }

std::string describe(char32_t cp) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  std::string out = buf;
  if (cp >= 0x20 && cp != 0x7F) {
    out += " '";
    appendUtf8(out, cp);
    out += "'";
  }
  return out;
}

int hexValue(char c) {
  if (isDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Go's strconv.Unquote for the body of a "..." or '...' literal; returns false on a bad escape.
bool unquoteInto(std::string_view body, char quote, std::string& out) {
  for (std::size_t i = 0; i < body.size();) {
    if (body[i] != '\\') {
      out += body[i++];
      continue;
    }
    if (++i >= body.size()) return false;
    const char c = body[i++];
    switch (c) {
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case '"':
      case '\'':
        if (c != quote) return false;
        out += c;
        break;
      case 'x':
      case 'u':
      case 'U': {
        const int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        if (i + static_cast<std::size_t>(digits) > body.size()) return false;
        char32_t value = 0;
        for (int k = 0; k < digits; ++k) {
          const int h = hexValue(body[i++]);
          if (h < 0) return false;
          value = value * 16 + static_cast<char32_t>(h);
        }
        if (c == 'x') {
          out += static_cast<char>(value);
        } else {
          if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return false;
          appendUtf8(out, value);
        }
        break;
      }
      default: {
        if (c < '0' || c > '7' || i + 2 > body.size()) return false;
        int value = c - '0';
        for (int k = 0; k < 2; ++k) {
          const char d = body[i++];
          if (d < '0' || d > '7') return false;
          value = value * 8 + (d - '0');
        }
        if (value > 255) return false;
        out += static_cast<char>(value);
      }
    }
  }
  return true;
}

/// The lexer's state: the input, where it is, and the tokens so far.
class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}

  std::vector<Token> run() {
    while (pos_ < in_.size()) lexText();
    tokens_.push_back({TokenKind::EndOfInput, in_.size(), "", false});
    return std::move(tokens_);
  }

 private:
  void lexText() {
    const std::size_t found = in_.find(kLeftDelim, pos_);
    const std::size_t end = found == std::string_view::npos ? in_.size() : found;
    std::string_view text = in_.substr(pos_, end - pos_);
    std::size_t afterDelim = end + kLeftDelim.size();
    bool trimLeft = found != std::string_view::npos && hasLeftTrimMarker(in_.substr(afterDelim));
    if (trimLeft) {
      while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
    }
    if (!text.empty()) tokens_.push_back({TokenKind::Text, pos_, std::string(text), false});
    if (found == std::string_view::npos) {
      pos_ = in_.size();
      return;
    }
    pos_ = afterDelim + (trimLeft ? 2 : 0);
    const std::size_t actionStart = end;
    if (in_.substr(pos_, 2) == "/*") {
      lexComment(actionStart);
      return;
    }
    tokens_.push_back({TokenKind::LeftDelim, actionStart, "{{", false});
    lexInsideAction(actionStart);
  }

  void lexComment(std::size_t actionStart) {
    const std::size_t close = in_.find("*/", pos_ + 2);
    if (close == std::string_view::npos) failAt(in_, actionStart, "unclosed comment");
    pos_ = close + 2;
    bool trimRight = false;
    if (!atRightDelim(trimRight)) failAt(in_, actionStart, "comment ends before closing delimiter");
    finishRightDelim(trimRight, false);
  }

  bool atRightDelim(bool& trimRight) const {
    std::string_view rest = in_.substr(pos_);
    if (hasRightTrimMarker(rest) && rest.substr(2, kRightDelim.size()) == kRightDelim) {
      trimRight = true;
      return true;
    }
    trimRight = false;
    return rest.substr(0, kRightDelim.size()) == kRightDelim;
  }

  void finishRightDelim(bool trimRight, bool emit) {
    if (emit) tokens_.push_back({TokenKind::RightDelim, pos_, "}}", false});
    pos_ += (trimRight ? 2 : 0) + kRightDelim.size();
    if (trimRight)
      while (pos_ < in_.size() && isSpace(in_[pos_])) ++pos_;
  }

  void lexInsideAction(std::size_t actionStart) {
    int parenDepth = 0;
    bool space = false;
    for (;;) {
      bool trimRight = false;
      if (atRightDelim(trimRight)) {
        if (parenDepth > 0) failAt(in_, pos_, "unclosed left paren");
        finishRightDelim(trimRight, true);
        return;
      }
      if (pos_ >= in_.size()) failAt(in_, actionStart, "unclosed action");
      const char c = in_[pos_];
      if (isSpace(c)) {
        space = true;
        ++pos_;
        continue;
      }
      const std::size_t start = pos_;
      const auto emit = [&](TokenKind kind, std::string text) {
        tokens_.push_back({kind, start, std::move(text), space});
        space = false;
      };
      if (c == '"') {
        emit(TokenKind::String, lexQuote());
      } else if (c == '`') {
        emit(TokenKind::String, lexRawQuote());
      } else if (c == '\'') {
        emit(TokenKind::Number, lexChar());
      } else if (c == '$') {
        ++pos_;
        emit(TokenKind::Variable, "$" + scanAlphaNumeric());
        checkTerminator();
      } else if (c == '.') {
        if (pos_ + 1 < in_.size() && isDigit(in_[pos_ + 1])) {
          emit(TokenKind::Number, lexNumber());
        } else {
          ++pos_;
          std::string name = scanAlphaNumeric();
          emit(name.empty() ? TokenKind::Dot : TokenKind::Field, name);
          checkTerminator();
        }
      } else if (c == '+' || c == '-' || isDigit(c)) {
        emit(TokenKind::Number, lexNumber());
      } else if (isAlphaNumeric(c)) {
        std::string word = scanAlphaNumeric();
        checkTerminator();
        if (word == "true" || word == "false")
          emit(TokenKind::Bool, word);
        else if (word == "nil")
          emit(TokenKind::Nil, word);
        else
          emit(TokenKind::Identifier, word);
      } else if (c == '|') {
        ++pos_;
        emit(TokenKind::Pipe, "|");
      } else if (c == '(') {
        if (parenDepth >= 1000) failAt(in_, pos_, "parentheses nested more than 1000 deep");
        ++pos_;
        ++parenDepth;
        emit(TokenKind::LeftParen, "(");
      } else if (c == ')') {
        if (parenDepth == 0) failAt(in_, pos_, "unexpected right paren");
        ++pos_;
        --parenDepth;
        emit(TokenKind::RightParen, ")");
      } else if (c == ':') {
        if (pos_ + 1 >= in_.size() || in_[pos_ + 1] != '=') failAt(in_, pos_, "expected :=");
        pos_ += 2;
        emit(TokenKind::Declare, ":=");
      } else if (c == '=') {
        ++pos_;
        emit(TokenKind::Assign, "=");
      } else if (c == ',') {
        ++pos_;
        emit(TokenKind::Comma, ",");
      } else {
        failAt(in_, pos_, "unrecognized character in action: " + describe(decodeUtf8(in_, pos_).codePoint));
      }
    }
  }

  std::string scanAlphaNumeric() {
    const std::size_t start = pos_;
    while (pos_ < in_.size() && isAlphaNumeric(in_[pos_])) ++pos_;
    return std::string(in_.substr(start, pos_ - start));
  }

  /// After a word, Go requires a space, a delimiter or punctuation that can follow an operand.
  void checkTerminator() {
    if (pos_ >= in_.size()) return;
    const char c = in_[pos_];
    if (isSpace(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(' || c == '=')
      return;
    if (in_.substr(pos_, kRightDelim.size()) == kRightDelim) return;
    failAt(in_, pos_, "bad character " + describe(decodeUtf8(in_, pos_).codePoint));
  }

  std::string lexQuote() {
    const std::size_t start = pos_++;
    for (;;) {
      if (pos_ >= in_.size() || in_[pos_] == '\n') failAt(in_, start, "unterminated quoted string");
      const char c = in_[pos_++];
      if (c == '\\') {
        if (pos_ >= in_.size() || in_[pos_] == '\n') failAt(in_, start, "unterminated quoted string");
        ++pos_;
      } else if (c == '"') {
        break;
      }
    }
    std::string value;
    if (!unquoteInto(in_.substr(start + 1, pos_ - start - 2), '"', value))
      failAt(in_, start, "invalid syntax in quoted string");
    return value;
  }

  std::string lexRawQuote() {
    const std::size_t start = pos_++;
    const std::size_t close = in_.find('`', pos_);
    if (close == std::string_view::npos) failAt(in_, start, "unterminated raw quoted string");
    std::string value(in_.substr(pos_, close - pos_));
    value.erase(std::remove(value.begin(), value.end(), '\r'), value.end());
    pos_ = close + 1;
    return value;
  }

  std::string lexChar() {
    const std::size_t start = pos_++;
    for (;;) {
      if (pos_ >= in_.size() || in_[pos_] == '\n') failAt(in_, start, "unterminated character constant");
      const char c = in_[pos_++];
      if (c == '\\') {
        if (pos_ >= in_.size() || in_[pos_] == '\n') failAt(in_, start, "unterminated character constant");
        ++pos_;
      } else if (c == '\'') {
        break;
      }
    }
    std::string value;
    std::string_view body = in_.substr(start + 1, pos_ - start - 2);
    if (!unquoteInto(body, '\'', value) || value.empty())
      failAt(in_, start, "malformed character constant: " + std::string(in_.substr(start, pos_ - start)));
    const Utf8Char ch = decodeUtf8(value, 0);
    if (ch.length != value.size() && !(body.size() >= 2 && body[0] == '\\' && body[1] == 'x'))
      failAt(in_, start, "malformed character constant: " + std::string(in_.substr(start, pos_ - start)));
    const char32_t cp =
        ch.length == value.size() && ch.valid ? ch.codePoint : static_cast<unsigned char>(value[0]);
    return std::to_string(cp);
  }

  std::string lexNumber() {
    const std::size_t start = pos_;
    const auto accept = [&](std::string_view valid) {
      if (pos_ < in_.size() && valid.find(in_[pos_]) != std::string_view::npos) {
        ++pos_;
        return true;
      }
      return false;
    };
    const auto acceptRun = [&](std::string_view valid) {
      while (accept(valid)) {
      }
    };
    accept("+-");
    std::string_view digits = "0123456789_";
    bool decimal = true;
    if (accept("0")) {
      decimal = false;
      if (accept("xX"))
        digits = "0123456789abcdefABCDEF_";
      else if (accept("oO"))
        digits = "01234567_";
      else if (accept("bB"))
        digits = "01_";
      else
        decimal = true;
    }
    acceptRun(digits);
    if (accept(".")) acceptRun(digits);
    if (decimal && accept("eE")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (pos_ < in_.size() && isAlphaNumeric(in_[pos_])) {
      ++pos_;
      failAt(in_, start, "bad number syntax: \"" + std::string(in_.substr(start, pos_ - start)) + "\"");
    }
    std::string text(in_.substr(start, pos_ - start));
    if (text == "+" || text == "-") failAt(in_, start, "bad number syntax: \"" + text + "\"");
    return text;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> lexTemplate(std::string_view text) { return Lexer(text).run(); }

TextIndex::TextIndex(std::string_view text) : text_(text) {
  lineStarts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') lineStarts_.push_back(i + 1);
}

int TextIndex::line(std::size_t offset) const {
  auto it = std::upper_bound(lineStarts_.begin(), lineStarts_.end(), offset);
  return static_cast<int>(it - lineStarts_.begin());
}

int TextIndex::column(std::size_t offset) const {
  const std::size_t start = lineStarts_[static_cast<std::size_t>(line(offset) - 1)];
  offset = std::min(offset, text_.size());
  return static_cast<int>(utf8Length(text_.substr(start, offset - start))) + 1;
}

void failAt(std::string_view text, std::size_t offset, const std::string& message) {
  TextIndex index(text);
  throw TemplateError(index.line(offset), index.column(offset), message);
}

}  // namespace hangar::config::gotemplate
