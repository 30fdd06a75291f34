#include "config/go_template_value.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

#include "config/go_template_time.hpp"
#include "config/utf8.hpp"

namespace hangar::config::gotemplate {
namespace {

const char* const kHex = "0123456789abcdef";

/// A decimal number 0.d1d2d3... × 10^dp, as Go's strconv keeps it.
struct Digits {
  std::string d;
  int dp = 0;
};

/// The digits of |value| with `significant` digits (or the shortest round-trip form when negative).
Digits digitsOf(double value, int significant) {
  char buf[512];
  std::to_chars_result r = significant < 0
                               ? std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific)
                               : std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific,
                                               significant > 0 ? significant - 1 : 0);
  std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
  const std::size_t e = text.find('e');
  Digits digits;
  for (char c : text.substr(0, e))
    if (c != '.') digits.d += c;
  int exponent = 0;
  std::string_view exp = text.substr(e + 1);
  if (!exp.empty() && exp[0] == '+') exp.remove_prefix(1);
  std::from_chars(exp.data(), exp.data() + exp.size(), exponent);
  digits.dp = exponent + 1;
  if (value == 0) digits.dp = 0;
  return digits;
}

void trimTrailingZeros(Digits& digits) {
  while (digits.d.size() > 1 && digits.d.back() == '0') digits.d.pop_back();
}

std::string formatE(const Digits& digits, int precision, bool zero) {
  std::string out(1, digits.d.empty() ? '0' : digits.d[0]);
  if (precision > 0) {
    out += '.';
    for (int i = 1; i <= precision; ++i)
      out += static_cast<std::size_t>(i) < digits.d.size() ? digits.d[static_cast<std::size_t>(i)] : '0';
  }
  int exponent = zero ? 0 : digits.dp - 1;
  out += 'e';
  out += exponent < 0 ? '-' : '+';
  if (exponent < 0) exponent = -exponent;
  if (exponent < 10) out += '0';
  out += std::to_string(exponent);
  return out;
}

std::string formatF(const Digits& digits, int precision) {
  std::string out;
  const int nd = static_cast<int>(digits.d.size());
  if (digits.dp > 0) {
    for (int i = 0; i < digits.dp; ++i) out += i < nd ? digits.d[static_cast<std::size_t>(i)] : '0';
  } else {
    out += '0';
  }
  if (precision > 0) {
    out += '.';
    for (int i = 1; i <= precision; ++i) {
      const int j = digits.dp + i - 1;
      out += (j >= 0 && j < nd) ? digits.d[static_cast<std::size_t>(j)] : '0';
    }
  }
  return out;
}

std::string formatFloatAbs(double value, char format, int precision) {
  const bool zero = value == 0;
  const bool shortest = precision < 0;
  switch (format) {
    case 'e': {
      Digits digits = digitsOf(value, shortest ? -1 : precision + 1);
      if (zero) digits.d = "0";
      return formatE(digits, shortest ? static_cast<int>(digits.d.size()) - 1 : precision, zero);
    }
    case 'f': {
      if (!shortest) {
        char buf[512];
        auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, precision);
        return std::string(buf, r.ptr);
      }
      Digits digits = digitsOf(value, -1);
      if (zero) return "0";
      return formatF(digits, std::max(static_cast<int>(digits.d.size()) - digits.dp, 0));
    }
    default: {  // 'g'
      int p = precision == 0 ? 1 : precision;
      Digits digits = digitsOf(value, shortest ? -1 : p);
      if (zero) {
        digits.d = "0";
        digits.dp = 1;
      }
      trimTrailingZeros(digits);
      const int nd = static_cast<int>(digits.d.size());
      int eprec = shortest ? 6 : p;
      if (!shortest && eprec > nd && nd >= digits.dp) eprec = nd;
      if (shortest) p = nd;
      const int exponent = digits.dp - 1;
      if (exponent < -4 || exponent >= eprec) {
        if (p > nd) p = nd;
        return formatE(digits, p - 1, zero);
      }
      if (p > digits.dp) p = nd;
      return formatF(digits, std::max(p - digits.dp, 0));
    }
  }
}

std::string goJsonFloat(double value) {
  if (std::isnan(value) || std::isinf(value))
    throw std::domain_error("unsupported value: " + formatFloat(value, 'g', -1));
  const double abs = std::fabs(value);
  if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
    std::string s = formatFloat(value, 'e', -1);
    // Go cleans up e-09 to e-9.
    const std::size_t n = s.size();
    if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);
    return s;
  }
  return formatFloat(value, 'f', -1);
}

void appendJsonString(std::string& out, std::string_view text, bool escapeHtml) {
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c < 0x20 || (escapeHtml && (c == '<' || c == '>' || c == '&'))) {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    const Utf8Char ch = decodeUtf8(text, i);
    if (!ch.valid) {
      out += "\\ufffd";
    } else if (ch.codePoint == 0x2028 || ch.codePoint == 0x2029) {
      out += ch.codePoint == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(text.substr(i, ch.length));
    }
    i += ch.length;
  }
  out += '"';
}

void appendGoJson(std::string& out, const nlohmann::json& value, bool pretty, bool escapeHtml, int depth) {
  const auto newline = [&](int level) {
    if (!pretty) return;
    out += '\n';
    out.append(static_cast<std::size_t>(level) * 2, ' ');
  };
  switch (value.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      out += "null";
      break;
    case nlohmann::json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      break;
    case nlohmann::json::value_t::number_integer:
      out += std::to_string(value.get<std::int64_t>());
      break;
    case nlohmann::json::value_t::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
      break;
    case nlohmann::json::value_t::number_float:
      out += goJsonFloat(value.get<double>());
      break;
    case nlohmann::json::value_t::string:
      appendJsonString(out, value.get_ref<const std::string&>(), escapeHtml);
      break;
    case nlohmann::json::value_t::array: {
      if (value.empty()) {
        out += "[]";
        break;
      }
      out += '[';
      bool first = true;
      for (const auto& item : value) {
        if (!first) out += ',';
        first = false;
        newline(depth + 1);
        appendGoJson(out, item, pretty, escapeHtml, depth + 1);
      }
      newline(depth);
      out += ']';
      break;
    }
    case nlohmann::json::value_t::object: {
      if (value.empty()) {
        out += "{}";
        break;
      }
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) out += ',';
        first = false;
        newline(depth + 1);
        appendJsonString(out, key, escapeHtml);
        out += pretty ? ": " : ":";
        appendGoJson(out, item, pretty, escapeHtml, depth + 1);
      }
      newline(depth);
      out += '}';
      break;
    }
    case nlohmann::json::value_t::binary:
      throw std::domain_error("unsupported value: binary");
  }
}

bool isPrintable(char32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA1) || cp == 0xAD) return false;
  if ((cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x206F))
    return false;
  if (cp == 0x3000 || cp == 0xFEFF || (cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xFFF9 && cp <= 0xFFFB))
    return false;
  return true;
}

}  // namespace

std::string typeName(const Value& value) {
  if (value.time) return "time.Time";
  switch (value.json.type()) {
    case nlohmann::json::value_t::null:
      return "<nil>";
    case nlohmann::json::value_t::boolean:
      return "bool";
    case nlohmann::json::value_t::number_integer:
      return "int";
    case nlohmann::json::value_t::number_unsigned:
      return "uint64";
    case nlohmann::json::value_t::number_float:
      return "float64";
    case nlohmann::json::value_t::string:
      return "string";
    case nlohmann::json::value_t::array:
      return "[]interface {}";
    case nlohmann::json::value_t::object:
      return "map[string]interface {}";
    default:
      return "[]uint8";
  }
}

bool isTrue(const Value& value) {
  if (value.time) return true;
  const nlohmann::json& j = value.json;
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return false;
    case nlohmann::json::value_t::boolean:
      return j.get<bool>();
    case nlohmann::json::value_t::number_integer:
      return j.get<std::int64_t>() != 0;
    case nlohmann::json::value_t::number_unsigned:
      return j.get<std::uint64_t>() != 0;
    case nlohmann::json::value_t::number_float:
      return j.get<double>() != 0;
    case nlohmann::json::value_t::string:
      return !j.get_ref<const std::string&>().empty();
    case nlohmann::json::value_t::array:
    case nlohmann::json::value_t::object:
      return !j.empty();
    default:
      return true;
  }
}

std::string formatValue(const Value& value) {
  if (value.time) return formatTimeDefault(*value.time);
  const nlohmann::json& j = value.json;
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return "<nil>";
    case nlohmann::json::value_t::boolean:
      return j.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::number_integer:
      return std::to_string(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return std::to_string(j.get<std::uint64_t>());
    case nlohmann::json::value_t::number_float:
      return formatFloat(j.get<double>(), 'g', -1);
    case nlohmann::json::value_t::string:
      return j.get<std::string>();
    case nlohmann::json::value_t::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& item : j) {
        if (!first) out += ' ';
        first = false;
        out += formatValue(Value(item));
      }
      return out + "]";
    }
    case nlohmann::json::value_t::object: {
      std::string out = "map[";
      bool first = true;
      for (const auto& [key, item] : j.items()) {
        if (!first) out += ' ';
        first = false;
        out += key + ":" + formatValue(Value(item));
      }
      return out + "]";
    }
    default:
      return "[]";
  }
}

std::string formatFloat(double value, char format, int precision) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  const bool negative = std::signbit(value);
  std::string body = formatFloatAbs(std::fabs(value), format, precision);
  return negative ? "-" + body : body;
}

std::string quoteGo(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Char ch = decodeUtf8(text, i);
    const char32_t cp = ch.codePoint;
    if (!ch.valid) {
      const unsigned char byte = static_cast<unsigned char>(text[i]);
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else if (cp == '"' || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (isPrintable(cp)) {
      out.append(text.substr(i, ch.length));
    } else {
      switch (cp) {
        case '\a':
          out += "\\a";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\v':
          out += "\\v";
          break;
        default: {
          int digits = 0;
          if (cp < 0x20 || cp == 0x7F) {
            out += "\\x";
            digits = 2;
          } else if (cp < 0x10000) {
            out += "\\u";
            digits = 4;
          } else {
            out += "\\U";
            digits = 8;
          }
          for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xF];
        }
      }
    }
    i += ch.length;
  }
  return out + "\"";
}

std::string toGoJson(const nlohmann::json& value, bool pretty, bool escapeHtml) {
  std::string out;
  appendGoJson(out, value, pretty, escapeHtml, 0);
  return out;
}

std::string shellQuote(std::string_view text) {
  if (text.empty()) return "''";
  bool safe = true;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("_^@=+%,:./-").find(c) != std::string_view::npos;
    if (!ok) {
      safe = false;
      break;
    }
  }
  if (safe) return std::string(text);
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "'\"'\"'";
    else
      out += c;
  }
  return out + "'";
}

}  // namespace hangar::config::gotemplate
