#include "config/go_template_functions.hpp"

#include <cerrno>
#include <cstdlib>

#include "config/go_template_printf.hpp"

namespace hangar::config::gotemplate {
namespace {

bool isComposite(const Value& v) { return !v.time && (v.json.is_array() || v.json.is_object()); }

/// Go's basic kind of a comparable value: 0 nil, 1 bool, 2 number, 3 string, 4 composite, 5 time.
int kindOf(const Value& v) {
  if (v.time) return 5;
  if (v.json.is_null()) return 0;
  if (v.json.is_boolean()) return 1;
  if (v.json.is_number()) return 2;
  if (v.json.is_string()) return 3;
  return 4;
}

/// -1, 0 or 1 for two numbers, comparing integers exactly and anything with a float as doubles.
int compareNumbers(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number_float() || b.is_number_float()) {
    const double x = a.get<double>(), y = b.get<double>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const bool aNegative = a.is_number_integer() && a.get<std::int64_t>() < 0;
  const bool bNegative = b.is_number_integer() && b.get<std::int64_t>() < 0;
  if (aNegative != bNegative) return aNegative ? -1 : 1;
  if (aNegative) {
    const std::int64_t x = a.get<std::int64_t>(), y = b.get<std::int64_t>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const std::uint64_t x = a.get<std::uint64_t>(), y = b.get<std::uint64_t>();
  return x < y ? -1 : x > y ? 1 : 0;
}

bool equalValues(const Value& a, const Value& b) {
  const int ka = kindOf(a), kb = kindOf(b);
  if (ka == 0 || kb == 0) return ka == kb;
  if (ka != kb)
    throw FunctionError("incompatible types for comparison: " + typeName(a) + " and " + typeName(b));
  switch (ka) {
    case 2:
      return compareNumbers(a.json, b.json) == 0;
    case 5:
      return *a.time == *b.time;
    default:
      return a.json == b.json;
  }
}

int orderValues(const Value& a, const Value& b) {
  const int ka = kindOf(a), kb = kindOf(b);
  if (ka != kb)
    throw FunctionError("incompatible types for comparison: " + typeName(a) + " and " + typeName(b));
  if (ka == 2) return compareNumbers(a.json, b.json);
  if (ka == 3) {
    const int c = a.json.get_ref<const std::string&>().compare(b.json.get_ref<const std::string&>());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  throw FunctionError("invalid type for comparison: " + typeName(a));
}

Value indexValue(Value item, const std::vector<Value>& indexes) {
  for (const Value& index : indexes) {
    if (item.isNil()) return Value();
    if (item.json.is_object() && !item.time) {
      if (!index.isString()) throw FunctionError("value has type " + typeName(index) + "; should be string");
      auto it = item.json.find(index.json.get_ref<const std::string&>());
      item = it == item.json.end() ? Value() : Value(*it);
      continue;
    }
    const bool isArray = !item.time && item.json.is_array();
    const bool isString = item.isString();
    if (!isArray && !isString) throw FunctionError("can't index item of type " + typeName(item));
    if (!index.isInteger()) throw FunctionError("cannot index slice/array with type " + typeName(index));
    const std::int64_t i = index.json.get<std::int64_t>();
    const std::size_t size = isArray ? item.json.size() : item.json.get_ref<const std::string&>().size();
    if (i < 0 || static_cast<std::uint64_t>(i) >= size)
      throw FunctionError("index out of range: " + std::to_string(i));
    if (isArray)
      item = Value(item.json[static_cast<std::size_t>(i)]);
    else
      item = Value(static_cast<std::int64_t>(
          static_cast<unsigned char>(item.json.get_ref<const std::string&>()[static_cast<std::size_t>(i)])));
  }
  return item;
}

Value sliceValue(const Value& item, const std::vector<Value>& bounds) {
  if (bounds.size() > 3) throw FunctionError("too many slice indexes: " + std::to_string(bounds.size()));
  const bool isString = item.isString();
  if (!isString && (item.time || !item.json.is_array()))
    throw FunctionError("can't slice item of type " + typeName(item));
  const std::size_t size = isString ? item.json.get_ref<const std::string&>().size() : item.json.size();
  if (isString && bounds.size() == 3) throw FunctionError("cannot 3-index slice a string");
  std::vector<std::size_t> idx = {0, size};
  for (std::size_t k = 0; k < bounds.size() && k < 2; ++k) {
    if (!bounds[k].isInteger())
      throw FunctionError("cannot index slice/array with type " + typeName(bounds[k]));
    const std::int64_t v = bounds[k].json.get<std::int64_t>();
    if (v < 0 || static_cast<std::uint64_t>(v) > size)
      throw FunctionError("index out of range: " + std::to_string(v));
    idx[k] = static_cast<std::size_t>(v);
  }
  if (idx[0] > idx[1])
    throw FunctionError("invalid slice index: " + std::to_string(idx[0]) + " > " + std::to_string(idx[1]));
  if (isString) return Value(item.json.get_ref<const std::string&>().substr(idx[0], idx[1] - idx[0]));
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t k = idx[0]; k < idx[1]; ++k) out.push_back(item.json[k]);
  return Value(std::move(out));
}

FunctionTable buildTable() {
  FunctionTable table;
  addGoBuiltins(table);
  addSprigStringFunctions(table);
  addSprigDataFunctions(table);
  return table;
}

}  // namespace

TimePoint CallContext::now() const {
  const auto t = options && options->clock ? options->clock() : std::chrono::system_clock::now();
  return std::chrono::time_point_cast<std::chrono::nanoseconds>(t);
}

const FunctionTable& templateFunctions() {
  static const FunctionTable table = buildTable();
  return table;
}

void requireArgs(const std::vector<Value>& args, std::size_t min, std::size_t max) {
  if (args.size() >= min && args.size() <= max) return;
  std::string want = min == max        ? std::to_string(min)
                     : max == SIZE_MAX ? "at least " + std::to_string(min)
                                       : std::to_string(min) + " to " + std::to_string(max);
  throw FunctionError("wrong number of args: want " + want + " got " + std::to_string(args.size()));
}

std::string stringArg(const Value& value) {
  if (value.isNil()) return "";
  if (isComposite(value))
    throw FunctionError("wrong type for value; expected string; got " + typeName(value));
  return formatValue(value);
}

std::int64_t intArg(const Value& value) {
  if (value.isInteger()) return value.json.get<std::int64_t>();
  if (value.isNumber()) {
    // Converting a double outside int64's range is undefined behaviour (found by fuzzing): refuse it.
    const double d = value.json.get<double>();
    if (!(d >= -9.2e18 && d <= 9.2e18))
      throw FunctionError("number " + formatValue(value) + " is out of integer range");
    return static_cast<std::int64_t>(d);
  }
  if (value.isString()) {
    const std::string& s = value.json.get_ref<const std::string&>();
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && errno == 0 && *end == '\0') return v;
  }
  throw FunctionError("wrong type for value; expected int; got " + typeName(value));
}

std::string strval(const Value& value) { return formatValue(value); }

std::int64_t toInt64(const Value& value) {
  if (value.time) return 0;
  const nlohmann::json& j = value.json;
  if (j.is_number_integer()) return j.get<std::int64_t>();
  if (j.is_number_float()) return static_cast<std::int64_t>(j.get<double>());
  if (j.is_boolean()) return j.get<bool>() ? 1 : 0;
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 0);
    return (!s.empty() && errno == 0 && *end == '\0') ? v : 0;
  }
  return 0;
}

double toFloat64(const Value& value) {
  if (value.time) return 0;
  const nlohmann::json& j = value.json;
  if (j.is_number()) return j.get<double>();
  if (j.is_boolean()) return j.get<bool>() ? 1 : 0;
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    return (!s.empty() && *end == '\0') ? v : 0;
  }
  return 0;
}

bool isEmpty(const Value& value) { return !isTrue(value); }

void addGoBuiltins(FunctionTable& t) {
  // `and` and `or` short-circuit in the executor; these bodies serve calls with evaluated arguments.
  t["and"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, SIZE_MAX);
    for (const Value& v : a)
      if (!isTrue(v)) return v;
    return a.back();
  };
  t["or"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, SIZE_MAX);
    for (const Value& v : a)
      if (isTrue(v)) return v;
    return a.back();
  };
  t["not"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    return Value(!isTrue(a[0]));
  };
  t["eq"] = [](const CallContext&, std::vector<Value>& a) {
    if (a.size() < 2) throw FunctionError("missing argument for comparison");
    for (std::size_t k = 1; k < a.size(); ++k)
      if (equalValues(a[0], a[k])) return Value(true);
    return Value(false);
  };
  t["ne"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    return Value(!equalValues(a[0], a[1]));
  };
  t["lt"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    return Value(orderValues(a[0], a[1]) < 0);
  };
  t["le"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    return Value(orderValues(a[0], a[1]) <= 0);
  };
  t["gt"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    return Value(orderValues(a[0], a[1]) > 0);
  };
  t["ge"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 2, 2);
    return Value(orderValues(a[0], a[1]) >= 0);
  };
  t["len"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, 1);
    const Value& v = a[0];
    if (v.isNil()) return Value(0);
    if (v.time || !(v.json.is_string() || v.json.is_array() || v.json.is_object()))
      throw FunctionError("len of type " + typeName(v));
    return Value(static_cast<std::int64_t>(v.isString() ? v.json.get_ref<const std::string&>().size()
                                                        : v.json.size()));
  };
  t["index"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, SIZE_MAX);
    return indexValue(a[0], std::vector<Value>(a.begin() + 1, a.end()));
  };
  t["slice"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, SIZE_MAX);
    return sliceValue(a[0], std::vector<Value>(a.begin() + 1, a.end()));
  };
  t["print"] = [](const CallContext&, std::vector<Value>& a) { return Value(goSprint(a)); };
  t["println"] = [](const CallContext&, std::vector<Value>& a) { return Value(goSprintln(a)); };
  t["printf"] = [](const CallContext&, std::vector<Value>& a) {
    requireArgs(a, 1, SIZE_MAX);
    const std::string format = stringArg(a[0]);
    return Value(goSprintf(format, std::vector<Value>(a.begin() + 1, a.end())));
  };
}

}  // namespace hangar::config::gotemplate
