// Sprig's list, dict, default/logic, math, type, path and date functions, as acb renders them.
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>

#include "config/go_template_functions.hpp"
#include "config/go_template_time.hpp"

namespace hangar::config::gotemplate {
namespace {

/// The longest list `until` makes: a task needs far fewer, and a hostile one must not take the
/// agent's memory.
constexpr std::int64_t kMaxListLength = 1'000'000;

const nlohmann::json& listArg(const Value& v) {
  if (v.time || !v.json.is_array()) throw FunctionError("cannot use type " + typeName(v) + " as a list");
  return v.json;
}

const nlohmann::json& dictArg(const Value& v) {
  if (v.time || !v.json.is_object()) throw FunctionError("cannot use type " + typeName(v) + " as a dict");
  return v.json;
}

bool sameValue(const Value& a, const Value& b) {
  if (a.time || b.time) return a.time == b.time;
  return a.json == b.json && a.json.type() == b.json.type();
}

std::string kindName(const Value& v) {
  if (v.time) return "struct";
  switch (v.json.type()) {
    case nlohmann::json::value_t::null:
      return "invalid";
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
      return "slice";
    case nlohmann::json::value_t::object:
      return "map";
    default:
      return "slice";
  }
}

/// Go's path.Clean.
std::string cleanPath(const std::string& path) {
  if (path.empty()) return ".";
  const bool rooted = path[0] == '/';
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..")
        parts.pop_back();
      else if (!rooted)
        parts.push_back(part);
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out = rooted ? "/" : "";
  for (std::size_t k = 0; k < parts.size(); ++k) out += (k ? "/" : "") + parts[k];
  return out.empty() ? "." : out;
}

std::string baseName(std::string path) {
  if (path.empty()) return ".";
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path == "/") return "/";
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string dirName(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return cleanPath(slash == std::string::npos ? "" : path.substr(0, slash + 1));
}

std::string extension(const std::string& path) {
  for (std::size_t k = path.size(); k-- > 0 && path[k] != '/';)
    if (path[k] == '.') return path.substr(k);
  return "";
}

TimePoint timeArg(const CallContext& context, const Value& v) {
  if (v.time) return *v.time;
  if (v.isInteger()) return TimePoint(std::chrono::seconds(v.json.get<std::int64_t>()));
  return context.now();  // Sprig formats "now" for anything else.
}

Function arithmetic(std::int64_t (*op)(std::int64_t, std::int64_t), std::size_t minArgs) {
  return [op, minArgs](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, minArgs, minArgs == 2 ? 2 : SIZE_MAX);
    std::int64_t result = toInt64(a[0]);
    for (std::size_t k = 1; k < a.size(); ++k) result = op(result, toInt64(a[k]));
    return Value(result);
  };
}

}  // namespace

void addSprigDataFunctions(FunctionTable& t) {
  // Defaults and logic.
  t["default"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 2);
    if (a.size() == 1 || isEmpty(a[1])) return a[0];
    return a[1];
  };
  t["empty"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(isEmpty(a[0]));
  };
  t["coalesce"] = [](const CallContext&, std::vector<Value>& a) {
    for (const Value& v : a)
      if (!isEmpty(v)) return v;
    return Value();
  };
  t["ternary"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 3, 3);
    return isTrue(a[2]) ? a[0] : a[1];
  };
  t["fail"] = [](const CallContext&, std::vector<Value>& a) -> Value {
    requireArgs(a, 1, 1);
    throw FunctionError(stringArg(a[0]));
  };

  // Lists.
  t["list"] = [](const CallContext&, std::vector<Value>& a) {
    nlohmann::json out = nlohmann::json::array();
    for (const Value& v : a) out.push_back(v.json);
    return Value(std::move(out));
  };
  t["first"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    const nlohmann::json& l = listArg(a[0]);
    return l.empty() ? Value() : Value(l.front());
  };
  t["last"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    const nlohmann::json& l = listArg(a[0]);
    return l.empty() ? Value() : Value(l.back());
  };
  t["rest"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    const nlohmann::json& l = listArg(a[0]);
    return l.empty() ? Value() : Value(nlohmann::json(std::vector<nlohmann::json>(l.begin() + 1, l.end())));
  };
  t["initial"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    const nlohmann::json& l = listArg(a[0]);
    return l.empty() ? Value() : Value(nlohmann::json(std::vector<nlohmann::json>(l.begin(), l.end() - 1)));
  };
  t["append"] = t["push"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    nlohmann::json l = a[0].isNil() ? nlohmann::json::array() : listArg(a[0]);
    l.push_back(a[1].json);
    return Value(std::move(l));
  };
  t["prepend"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    nlohmann::json l = a[0].isNil() ? nlohmann::json::array() : listArg(a[0]);
    l.insert(l.begin(), a[1].json);
    return Value(std::move(l));
  };
  t["concat"] = [](const CallContext&, std::vector<Value>& a) {
    nlohmann::json out = nlohmann::json::array();
    for (const Value& v : a)
      for (const auto& item : listArg(v)) out.push_back(item);
    return Value(std::move(out));
  };
  t["reverse"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    nlohmann::json l = listArg(a[0]);
    std::reverse(l.begin(), l.end());
    return Value(std::move(l));
  };
  t["uniq"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : listArg(a[0]))
      if (std::none_of(out.begin(), out.end(), [&](const nlohmann::json& o) { return sameValue(o, item); }))
        out.push_back(item);
    return Value(std::move(out));
  };
  t["compact"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : listArg(a[0]))
      if (!isEmpty(Value(item))) out.push_back(item);
    return Value(std::move(out));
  };
  t["without"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, SIZE_MAX);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : listArg(a[0]))
      if (std::none_of(a.begin() + 1, a.end(), [&](const Value& o) { return sameValue(o, item); }))
        out.push_back(item);
    return Value(std::move(out));
  };
  t["has"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    if (a[1].isNil()) return Value(false);
    const nlohmann::json& l = listArg(a[1]);
    return Value(
        std::any_of(l.begin(), l.end(), [&](const nlohmann::json& item) { return sameValue(a[0], item); }));
  };
  t["until"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    const std::int64_t n = intArg(a[0]);
    if (n > kMaxListLength || n < -kMaxListLength)
      throw FunctionError("until " + std::to_string(n) + " would make a list longer than " +
                          std::to_string(kMaxListLength) + " items");
    nlohmann::json out = nlohmann::json::array();
    for (std::int64_t k = 0; k < n; ++k) out.push_back(k);
    for (std::int64_t k = 0; k > n; --k) out.push_back(k);
    return Value(std::move(out));
  };

  // Dicts.
  t["dict"] = [](const CallContext&, std::vector<Value>& a) {
    nlohmann::json out = nlohmann::json::object();
    for (std::size_t k = 0; k < a.size(); k += 2) out[strval(a[k])] = k + 1 < a.size() ? a[k + 1].json : "";
    return Value(std::move(out));
  };
  t["get"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    const nlohmann::json& d = dictArg(a[0]);
    auto it = d.find(stringArg(a[1]));
    return it == d.end() ? Value("") : Value(*it);
  };
  t["hasKey"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    return Value(dictArg(a[0]).contains(stringArg(a[1])));
  };
  t["keys"] = [](const CallContext&, std::vector<Value>& a) {
    nlohmann::json out = nlohmann::json::array();
    for (const Value& v : a)
      for (const auto& [key, item] : dictArg(v).items()) out.push_back(key);
    return Value(std::move(out));
  };
  t["values"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [key, item] : dictArg(a[0]).items()) out.push_back(item);
    return Value(std::move(out));
  };

  // Numbers (Sprig works in int64).
  t["add"] = [](const CallContext&, std::vector<Value>& a) {
    std::int64_t sum = 0;
    for (const Value& v : a) sum += toInt64(v);
    return Value(sum);
  };
  t["add1"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(toInt64(a[0]) + 1);
  };
  t["sub"] = arithmetic([](std::int64_t x, std::int64_t y) { return x - y; }, 2);
  t["mul"] = arithmetic([](std::int64_t x, std::int64_t y) { return x * y; }, 1);
  t["div"] = arithmetic(
      [](std::int64_t x, std::int64_t y) {
        if (y == 0) throw FunctionError("integer divide by zero");
        return x / y;
      },
      2);
  t["mod"] = arithmetic(
      [](std::int64_t x, std::int64_t y) {
        if (y == 0) throw FunctionError("integer divide by zero");
        return x % y;
      },
      2);
  t["max"] = arithmetic([](std::int64_t x, std::int64_t y) { return std::max(x, y); }, 1);
  t["min"] = arithmetic([](std::int64_t x, std::int64_t y) { return std::min(x, y); }, 1);
  t["int"] = t["int64"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(toInt64(a[0]));
  };
  t["float64"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(toFloat64(a[0]));
  };
  t["atoi"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    const std::string s = stringArg(a[0]);
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    return Value(static_cast<std::int64_t>(!s.empty() && *end == '\0' ? v : 0));
  };

  // Types.
  t["kindOf"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(kindName(a[0]));
  };
  t["kindIs"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    return Value(stringArg(a[0]) == kindName(a[1]));
  };
  t["typeOf"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(typeName(a[0]));
  };

  // Paths (Go's path package).
  t["base"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(baseName(stringArg(a[0])));
  };
  t["dir"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(dirName(stringArg(a[0])));
  };
  t["ext"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(extension(stringArg(a[0])));
  };
  t["clean"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(cleanPath(stringArg(a[0])));
  };

  // Dates, always in UTC (acb runs in UTC containers).
  t["now"] = [](const CallContext& c, std::vector<Value>& a) {
    requireArgs(a, 0, 0);
    return Value::ofTime(c.now());
  };
  t["date"] = [](const CallContext& c, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    return Value(formatGoTime(timeArg(c, a[1]), stringArg(a[0])));
  };
  t["htmlDate"] = [](const CallContext& c, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(formatGoTime(timeArg(c, a[0]), "2006-01-02"));
  };
  t["unixEpoch"] = [](const CallContext& c, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    const auto seconds = std::chrono::floor<std::chrono::seconds>(timeArg(c, a[0]).time_since_epoch());
    return Value(std::to_string(seconds.count()));
  };

  t["uuidv4"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 0, 0);
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1) throw FunctionError("no random bytes available");
    b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
    char out[37];
    std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                  b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                  b[14], b[15]);
    return Value(std::string(out));
  };
}

}  // namespace hangar::config::gotemplate
