#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace hangar::config::gotemplate {

/// A point in time, in UTC, with Go's nanosecond resolution.
using TimePoint = std::chrono::sys_time<std::chrono::nanoseconds>;

/// One value flowing through a template: JSON data (what .Run, .Values and .Secrets hold), or a time
/// (what Sprig's `now` returns), which JSON cannot hold. A null JSON value is Go's nil.
struct Value {
  nlohmann::json json;
  std::optional<TimePoint> time;

  Value() = default;
  Value(nlohmann::json j) : json(std::move(j)) {}  // NOLINT: implicit on purpose
  static Value ofTime(TimePoint t) {
    Value v;
    v.time = t;
    return v;
  }
  bool isNil() const { return !time && json.is_null(); }
  bool isString() const { return !time && json.is_string(); }
  bool isInteger() const { return !time && (json.is_number_integer()); }
  bool isNumber() const { return !time && json.is_number(); }
};

/// Go's name for the type a value would have in acb: "string", "int", "float64", "bool",
/// "map[string]interface {}", "[]interface {}", "time.Time", or "<nil>".
std::string typeName(const Value& value);

/// Go template truth: false, 0, nil, "" and empty lists and maps are false; everything else is true.
bool isTrue(const Value& value);

/// The value as Go's fmt prints it with %v: maps as `map[k:v ...]` with sorted keys, lists as
/// `[a b]`, nil as `<nil>`, floats in Go's shortest form (1e+06, 1.5, 3).
std::string formatValue(const Value& value);

/// Go's strconv.FormatFloat for the formats 'e', 'f' and 'g'; precision -1 means the fewest digits
/// that read back as the same number.
std::string formatFloat(double value, char format, int precision);

/// Go's strconv.Quote: a double-quoted string with Go escapes for quotes, backslashes, control
/// characters and invalid UTF-8.
std::string quoteGo(std::string_view text);

/// The JSON Go's encoding/json produces (as Sprig's toJson): compact or indented by two spaces,
/// sorted keys, <, > and & escaped when `escapeHtml`. Throws std::domain_error for NaN or infinity.
std::string toGoJson(const nlohmann::json& value, bool pretty = false, bool escapeHtml = true);

/// acb's shellQuote (§3.2): the text bare when it only has [A-Za-z0-9_^@=+%,:./-], else wrapped in
/// single quotes with each ' written as '"'"'; the empty string is ''.
std::string shellQuote(std::string_view text);

}  // namespace hangar::config::gotemplate
