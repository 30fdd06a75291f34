#include "config/go_template_printf.hpp"

#include <cstdint>
#include <cstdlib>

#include "config/utf8.hpp"

namespace hangar::config::gotemplate {
namespace {

/// One parsed %-directive.
struct Spec {
  bool plus = false;
  bool minus = false;
  bool sharp = false;
  bool zero = false;
  bool space = false;
  int width = -1;
  int precision = -1;
  char32_t verb = 0;
};

std::string verbText(char32_t verb) {
  std::string out;
  appendUtf8(out, verb);
  return out;
}

std::string pad(std::string body, const Spec& spec, bool numeric) {
  if (spec.width < 0) return body;
  const std::size_t length = utf8Length(body);
  const std::size_t width = static_cast<std::size_t>(spec.width);
  if (length >= width) return body;
  const std::size_t fill = width - length;
  if (spec.minus) return body + std::string(fill, ' ');
  if (spec.zero && numeric) {
    std::size_t signEnd = (!body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ')) ? 1 : 0;
    return body.substr(0, signEnd) + std::string(fill, '0') + body.substr(signEnd);
  }
  return std::string(fill, ' ') + body;
}

std::string badVerb(const Spec& spec, const Value& value) {
  if (value.isNil()) return "%!" + verbText(spec.verb) + "(<nil>)";
  return "%!" + verbText(spec.verb) + "(" + typeName(value) + "=" + formatValue(value) + ")";
}

std::string withSign(std::string digits, bool negative, const Spec& spec) {
  if (negative) return "-" + digits;
  if (spec.plus) return "+" + digits;
  if (spec.space) return " " + digits;
  return digits;
}

std::string formatInteger(const Value& value, const Spec& spec) {
  const nlohmann::json& j = value.json;
  const bool negative = j.is_number_integer() && j.get<std::int64_t>() < 0;
  std::uint64_t magnitude = 0;
  if (j.is_number_unsigned()) {
    magnitude = j.get<std::uint64_t>();
  } else {
    const std::int64_t v = j.get<std::int64_t>();
    magnitude = negative ? static_cast<std::uint64_t>(-(v + 1)) + 1 : static_cast<std::uint64_t>(v);
  }
  const auto inBase = [&](unsigned base, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string out;
    std::uint64_t m = magnitude;
    do {
      out.insert(out.begin(), digits[m % base]);
      m /= base;
    } while (m != 0);
    if (spec.precision >= 0 && out.size() < static_cast<std::size_t>(spec.precision))
      out.insert(0, static_cast<std::size_t>(spec.precision) - out.size(), '0');
    return out;
  };
  switch (spec.verb) {
    case 'v':
    case 'd':
      return pad(withSign(inBase(10, false), negative, spec), spec, spec.precision < 0);
    case 'b':
      return pad(withSign((spec.sharp ? "0b" : "") + inBase(2, false), negative, spec), spec, true);
    case 'o':
      return pad(withSign((spec.sharp ? "0" : "") + inBase(8, false), negative, spec), spec, true);
    case 'O':
      return pad(withSign("0o" + inBase(8, false), negative, spec), spec, true);
    case 'x':
      return pad(withSign((spec.sharp ? "0x" : "") + inBase(16, false), negative, spec), spec, true);
    case 'X':
      return pad(withSign((spec.sharp ? "0X" : "") + inBase(16, true), negative, spec), spec, true);
    case 'c': {
      std::string out;
      appendUtf8(out, negative ? 0xFFFD : static_cast<char32_t>(magnitude));
      return pad(out, spec, false);
    }
    case 'q': {
      std::string out;
      appendUtf8(out, negative ? 0xFFFD : static_cast<char32_t>(magnitude));
      std::string quoted = quoteGo(out);
      if (out == "'")
        quoted = "'\\''";
      else
        quoted = "'" + (out == "\"" ? std::string("\"") : quoted.substr(1, quoted.size() - 2)) + "'";
      return pad(quoted, spec, false);
    }
    case 'U': {
      std::string hex = inBase(16, true);
      if (hex.size() < 4) hex.insert(0, 4 - hex.size(), '0');
      return pad("U+" + hex, spec, false);
    }
    default:
      return badVerb(spec, value);
  }
}

std::string formatFloatSpec(const Value& value, const Spec& spec) {
  const double v = value.json.get<double>();
  char format = 'g';
  switch (spec.verb) {
    case 'v':
    case 'g':
    case 'G':
      format = 'g';
      break;
    case 'e':
    case 'E':
      format = 'e';
      break;
    case 'f':
    case 'F':
      format = 'f';
      break;
    default:
      return badVerb(spec, value);
  }
  int precision = spec.precision;
  if (precision < 0 && (format == 'e' || format == 'f')) precision = 6;
  std::string out = formatFloat(v, format, precision);
  if (spec.verb == 'E' || spec.verb == 'G') {
    for (char& c : out)
      if (c == 'e') c = 'E';
  }
  if (out[0] != '-' && out[0] != '+' && out != "NaN") {
    if (spec.plus)
      out = "+" + out;
    else if (spec.space)
      out = " " + out;
  } else if (out[0] == '+' && !spec.plus) {  // +Inf
    out = spec.space ? " " + out.substr(1) : out.substr(1);
  }
  return pad(out, spec, true);
}

std::string truncate(const std::string& text, int precision) {
  if (precision < 0) return text;
  std::size_t pos = 0;
  for (int count = 0; pos < text.size() && count < precision; ++count) pos += decodeUtf8(text, pos).length;
  return text.substr(0, pos);
}

std::string formatOne(const Value& value, const Spec& spec) {
  if (spec.verb == 'T') return pad(typeName(value), spec, false);
  if (value.isNil()) return spec.verb == 'v' ? pad("<nil>", spec, false) : badVerb(spec, value);
  if (value.time) {
    if (spec.verb == 'v' || spec.verb == 's')
      return pad(truncate(formatValue(value), spec.precision), spec, false);
    if (spec.verb == 'q') return pad(quoteGo(formatValue(value)), spec, false);
    return badVerb(spec, value);
  }
  const nlohmann::json& j = value.json;
  switch (j.type()) {
    case nlohmann::json::value_t::boolean:
      if (spec.verb == 'v' || spec.verb == 't') return pad(j.get<bool>() ? "true" : "false", spec, false);
      return badVerb(spec, value);
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return formatInteger(value, spec);
    case nlohmann::json::value_t::number_float:
      return formatFloatSpec(value, spec);
    case nlohmann::json::value_t::string: {
      const std::string& s = j.get_ref<const std::string&>();
      switch (spec.verb) {
        case 'v':
        case 's':
          return pad(truncate(s, spec.precision), spec, false);
        case 'q':
          return pad(quoteGo(truncate(s, spec.precision)), spec, false);
        case 'x':
        case 'X': {
          const char* digits = spec.verb == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
          std::string out;
          for (unsigned char c : s) {
            out += digits[c >> 4];
            out += digits[c & 0xF];
          }
          return pad(out, spec, false);
        }
        default:
          return badVerb(spec, value);
      }
    }
    case nlohmann::json::value_t::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& item : j) {
        if (!first) out += ' ';
        first = false;
        out += formatOne(Value(item), spec);
      }
      return out + "]";
    }
    case nlohmann::json::value_t::object: {
      std::string out = "map[";
      bool first = true;
      for (const auto& [key, item] : j.items()) {
        if (!first) out += ' ';
        first = false;
        out += formatOne(Value(key), spec) + ":" + formatOne(Value(item), spec);
      }
      return out + "]";
    }
    default:
      return badVerb(spec, value);
  }
}

}  // namespace

std::string goSprintf(std::string_view format, const std::vector<Value>& args) {
  std::string out;
  std::size_t argIndex = 0;
  std::size_t i = 0;
  const auto readNumber = [&](int& target) {
    if (i < format.size() && format[i] == '*') {
      ++i;
      // Go's fmt refuses widths and precisions beyond 1e6 (tooLarge), which also bounds memory.
      if (argIndex < args.size() && args[argIndex].isInteger() &&
          std::abs(args[argIndex].json.get<std::int64_t>()) <= 1'000'000) {
        target = static_cast<int>(args[argIndex++].json.get<std::int64_t>());
      } else {
        out += "%!(BADWIDTH)";
        if (argIndex < args.size()) ++argIndex;
      }
      return;
    }
    if (i < format.size() && format[i] >= '0' && format[i] <= '9') {
      target = 0;
      while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
        target = target * 10 + (format[i++] - '0');
        if (target > 1'000'000) {  // as Go's parsenum: the rest of the format is consumed
          target = -1;
          i = format.size();
        }
      }
    }
  };
  while (i < format.size()) {
    const std::size_t percent = format.find('%', i);
    if (percent == std::string_view::npos) {
      out.append(format.substr(i));
      break;
    }
    out.append(format.substr(i, percent - i));
    i = percent + 1;
    Spec spec;
    for (; i < format.size(); ++i) {
      const char c = format[i];
      if (c == '+')
        spec.plus = true;
      else if (c == '-')
        spec.minus = true;
      else if (c == '#')
        spec.sharp = true;
      else if (c == '0')
        spec.zero = true;
      else if (c == ' ')
        spec.space = true;
      else
        break;
    }
    readNumber(spec.width);
    if (spec.width < -1) {
      spec.minus = true;
      spec.width = -spec.width;
    }
    if (i < format.size() && format[i] == '.') {
      ++i;
      spec.precision = 0;
      readNumber(spec.precision);
    }
    if (i >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    const Utf8Char verb = decodeUtf8(format, i);
    i += verb.length;
    spec.verb = verb.codePoint;
    if (spec.verb == '%') {
      out += '%';
      continue;
    }
    if (argIndex >= args.size()) {
      out += "%!" + verbText(spec.verb) + "(MISSING)";
      continue;
    }
    out += formatOne(args[argIndex++], spec);
  }
  if (argIndex < args.size()) {
    out += "%!(EXTRA ";
    for (std::size_t k = argIndex; k < args.size(); ++k) {
      if (k > argIndex) out += ", ";
      out += args[k].isNil() ? "<nil>" : typeName(args[k]) + "=" + formatValue(args[k]);
    }
    out += ")";
  }
  return out;
}

std::string goSprint(const std::vector<Value>& args) {
  std::string out;
  for (std::size_t k = 0; k < args.size(); ++k) {
    if (k > 0 && !args[k].isString() && !args[k - 1].isString()) out += ' ';
    out += formatValue(args[k]);
  }
  return out;
}

std::string goSprintln(const std::vector<Value>& args) {
  std::string out;
  for (std::size_t k = 0; k < args.size(); ++k) {
    if (k > 0) out += ' ';
    out += formatValue(args[k]);
  }
  return out + "\n";
}

}  // namespace hangar::config::gotemplate
