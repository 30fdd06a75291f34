// Sprig's string, encoding and hashing functions (Masterminds/sprig TxtFuncMap), as acb renders them.
#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "config/base64.hpp"
#include "config/go_template_functions.hpp"

namespace hangar::config::gotemplate {
namespace {

/// The largest string repeat and indent may make: a task file is far smaller, and a hostile template
/// must not take the agent's memory.
constexpr std::size_t kMaxFunctionResultBytes = std::size_t(16) << 20;

std::size_t indentWidth(std::int64_t width) {
  if (width > static_cast<std::int64_t>(kMaxFunctionResultBytes))
    throw FunctionError("indent width " + std::to_string(width) + " is too large");
  return static_cast<std::size_t>(std::max<std::int64_t>(width, 0));
}

constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Go's base64.StdEncoding.DecodeString: \r and \n are skipped; an error names the input byte where
/// decoding failed, as Go's message does (Sprig returns that message as the result).
bool base64Decode(std::string_view text, std::string& out, std::string& error) {
  std::string clean;
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' || text[i] == '\n') continue;
    clean += text[i];
    offsets.push_back(i);
  }
  const auto fail = [&](std::size_t index) {
    error = "illegal base64 data at input byte " +
            std::to_string(index < offsets.size() ? offsets[index] : text.size());
    return false;
  };
  unsigned buffer = 0;
  int bits = 0;
  std::size_t i = 0;
  for (; i < clean.size(); ++i) {
    const char c = clean[i];
    if (c == '=') break;
    const std::size_t v = kBase64.find(c);
    if (v == std::string_view::npos) return fail(i);
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  const std::size_t dataChars = i % 4;
  if (i == clean.size()) {
    if (dataChars != 0) return fail(clean.size());
    return true;
  }
  // Padding: "xx==" or "xxx=" and nothing after it.
  if (dataChars < 2) return fail(i);
  const std::size_t padding = 4 - dataChars;
  for (std::size_t k = 0; k < padding; ++k)
    if (i + k >= clean.size() || clean[i + k] != '=') return fail(i + k);
  if (i + padding != clean.size()) return fail(i + padding);
  return true;
}

std::string digestHex(const EVP_MD* md, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, md, nullptr) != 1)
    throw FunctionError("digest failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned k = 0; k < length; ++k) {
    out += hex[digest[k] >> 4];
    out += hex[digest[k] & 0xF];
  }
  return out;
}

std::string replaceAll(std::string s, std::string_view from, std::string_view to) {
  if (from.empty()) {  // Go inserts `to` around every UTF-8 sequence; ASCII is what tasks use.
    std::string out(to);
    for (char c : s) {
      out += c;
      out += to;
    }
    return out;
  }
  std::size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

std::vector<std::string> splitString(const std::string& s, const std::string& sep) {
  std::vector<std::string> parts;
  if (sep.empty()) {
    for (char c : s) parts.emplace_back(1, c);
    return parts;
  }
  std::size_t start = 0, pos;
  while ((pos = s.find(sep, start)) != std::string::npos) {
    parts.push_back(s.substr(start, pos - start));
    start = pos + sep.size();
  }
  parts.push_back(s.substr(start));
  return parts;
}

bool isSpaceChar(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string trimSet(const std::string& s, std::string_view set) {
  const std::size_t first = s.find_first_not_of(set);
  if (first == std::string::npos) return "";
  const std::size_t last = s.find_last_not_of(set);
  return s.substr(first, last - first + 1);
}

/// Sprig's strslice: a list's items as strings (nil items dropped), or the value itself as one item.
std::vector<std::string> toStringList(const Value& v) {
  std::vector<std::string> out;
  if (!v.time && v.json.is_array()) {
    for (const auto& item : v.json)
      if (!item.is_null()) out.push_back(strval(Value(item)));
  } else if (!v.isNil()) {
    out.push_back(strval(v));
  }
  return out;
}

template <typename F>
Function unary(F f) {
  return [f](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(f(stringArg(a[0])));
  };
}

template <typename F>
Function binary(F f) {
  return [f](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    return Value(f(stringArg(a[0]), stringArg(a[1])));
  };
}

}  // namespace

void addSprigStringFunctions(FunctionTable& t) {
  t["upper"] = unary([](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return c >= 'a' && c <= 'z' ? c - 32 : c; });
    return s;
  });
  t["lower"] = unary([](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; });
    return s;
  });
  t["title"] = unary([](std::string s) {
    bool atWordStart = true;
    for (char& c : s) {
      const unsigned char u = static_cast<unsigned char>(c);
      const bool separator = u < 0x80 && !((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
                                           (u >= '0' && u <= '9') || u == '_');
      if (atWordStart && u >= 'a' && u <= 'z') c = static_cast<char>(u - 32);
      atWordStart = separator;
    }
    return s;
  });
  t["trim"] = unary([](const std::string& s) { return trimSet(s, " \t\n\r\v\f"); });
  t["nospace"] = unary([](std::string s) {
    std::erase_if(s, isSpaceChar);
    return s;
  });
  t["trimAll"] = binary([](const std::string& cutset, const std::string& s) { return trimSet(s, cutset); });
  t["trimPrefix"] = binary([](const std::string& prefix, const std::string& s) {
    return s.starts_with(prefix) ? s.substr(prefix.size()) : s;
  });
  t["trimSuffix"] = binary([](const std::string& suffix, const std::string& s) {
    return s.ends_with(suffix) ? s.substr(0, s.size() - suffix.size()) : s;
  });
  t["contains"] =
      binary([](const std::string& sub, const std::string& s) { return s.find(sub) != std::string::npos; });
  t["hasPrefix"] =
      binary([](const std::string& prefix, const std::string& s) { return s.starts_with(prefix); });
  t["hasSuffix"] =
      binary([](const std::string& suffix, const std::string& s) { return s.ends_with(suffix); });
  t["replace"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 3, 3);
    return Value(replaceAll(stringArg(a[2]), stringArg(a[0]), stringArg(a[1])));
  };
  t["repeat"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    const std::int64_t count = intArg(a[0]);
    if (count < 0) throw FunctionError("negative repeat count");
    const std::string s = stringArg(a[1]);
    if (s.empty()) return Value(std::string());  // not count empty appends (fuzzing: repeat 1e10 "")
    if (count > static_cast<std::int64_t>(kMaxFunctionResultBytes / s.size()))
      throw FunctionError("repeat would make a string larger than " +
                          std::to_string(kMaxFunctionResultBytes >> 20) + " MiB");
    std::string out;
    for (std::int64_t k = 0; k < count; ++k) out += s;
    return Value(out);
  };
  t["substr"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 3, 3);
    const std::int64_t start = intArg(a[0]), end = intArg(a[1]);
    const std::string s = stringArg(a[2]);
    const auto size = static_cast<std::int64_t>(s.size());
    const std::int64_t from = std::clamp<std::int64_t>(start, 0, size);
    const std::int64_t to = (end < 0 || end > size) ? size : std::max(end, from);
    return Value(s.substr(static_cast<std::size_t>(from), static_cast<std::size_t>(to - from)));
  };
  t["trunc"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    const std::int64_t c = intArg(a[0]);
    const std::string s = stringArg(a[1]);
    const auto size = static_cast<std::int64_t>(s.size());
    if (c < 0 && size + c > 0) return Value(s.substr(static_cast<std::size_t>(size + c)));
    if (c >= 0 && size > c) return Value(s.substr(0, static_cast<std::size_t>(c)));
    return Value(s);
  };
  t["indent"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    const std::string pad(indentWidth(intArg(a[0])), ' ');
    return Value(pad + replaceAll(stringArg(a[1]), "\n", "\n" + pad));
  };
  t["nindent"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    const std::string pad(indentWidth(intArg(a[0])), ' ');
    return Value("\n" + pad + replaceAll(stringArg(a[1]), "\n", "\n" + pad));
  };
  t["quote"] = [](const CallContext&, std::vector<Value>& a) {
    std::string out;
    for (const Value& v : a) {
      if (v.isNil()) continue;
      if (!out.empty()) out += ' ';
      out += quoteGo(strval(v));
    }
    return Value(out);
  };
  t["squote"] = [](const CallContext&, std::vector<Value>& a) {
    std::string out;
    for (const Value& v : a) {
      if (v.isNil()) continue;
      if (!out.empty()) out += ' ';
      out += "'" + strval(v) + "'";
    }
    return Value(out);
  };
  t["cat"] = [](const CallContext&, std::vector<Value>& a) {
    std::string out;
    bool first = true;
    for (const Value& v : a) {
      if (v.isNil()) continue;
      if (!first) out += ' ';
      first = false;
      out += strval(v);
    }
    return Value(out);
  };
  t["toString"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(strval(a[0]));
  };
  // acb overrides b64enc so that nil gives "" instead of an error.
  t["b64enc"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(a[0].isNil() ? std::string() : encodeBase64(stringArg(a[0])));
  };
  t["b64dec"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    std::string out, error;
    return Value(base64Decode(stringArg(a[0]), out, error) ? out : error);
  };
  t["toJson"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    try {
      return Value(a[0].time ? quoteGo(formatValue(a[0])) : toGoJson(a[0].json));
    } catch (const std::domain_error&) {
      return Value("");  // Sprig ignores the marshalling error.
    }
  };
  t["toPrettyJson"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    try {
      return Value(toGoJson(a[0].json, true));
    } catch (const std::domain_error&) {
      return Value("");
    }
  };
  t["toRawJson"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    try {
      return Value(toGoJson(a[0].json, false, false));
    } catch (const std::domain_error&) {
      return Value("");
    }
  };
  t["sha256sum"] = unary([](const std::string& s) { return digestHex(EVP_sha256(), s); });
  t["sha1sum"] = unary([](const std::string& s) { return digestHex(EVP_sha1(), s); });
  t["split"] = binary([](const std::string& sep, const std::string& s) {
    nlohmann::json out = nlohmann::json::object();
    std::size_t k = 0;
    for (std::string& part : splitString(s, sep)) out["_" + std::to_string(k++)] = std::move(part);
    return out;
  });
  t["splitList"] = binary(
      [](const std::string& sep, const std::string& s) { return nlohmann::json(splitString(s, sep)); });
  t["join"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    const std::string sep = stringArg(a[0]);
    std::string out;
    bool first = true;
    for (const std::string& s : toStringList(a[1])) {
      if (!first) out += sep;
      first = false;
      out += s;
    }
    return Value(out);
  };
  t["toStrings"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(nlohmann::json(toStringList(a[0])));
  };
  t["sortAlpha"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    std::vector<std::string> list = toStringList(a[0]);
    std::sort(list.begin(), list.end());
    return Value(nlohmann::json(list));
  };
}

}  // namespace hangar::config::gotemplate
