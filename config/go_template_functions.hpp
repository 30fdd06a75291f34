#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/go_template.hpp"
#include "config/go_template_value.hpp"

namespace hangar::config::gotemplate {

/// What a template function may read besides its arguments: the clock.
struct CallContext {
  const TemplateOptions* options = nullptr;
  TimePoint now() const;
};

/// A template function: takes its evaluated arguments (the piped value last), returns a value, throws
/// FunctionError. `and` and `or` are listed too but evaluated lazily by the executor.
using Function = std::function<Value(const CallContext&, std::vector<Value>& args)>;
using FunctionTable = std::map<std::string, Function, std::less<>>;

/// An error raised by a function; the executor reports it as "error calling NAME: MESSAGE".
class FunctionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Every function templates can call: Go's builtins (and, or, not, eq, ne, lt, le, gt, ge, len, index,
/// slice, print, printf, println) and the Sprig subset (go_template_sprig_*.cpp). No `env`.
const FunctionTable& templateFunctions();

void addGoBuiltins(FunctionTable& table);
void addSprigStringFunctions(FunctionTable& table);
void addSprigDataFunctions(FunctionTable& table);

// Argument helpers shared by the function files.

/// Throws FunctionError "wrong number of args: want N got M" unless args.size() is within [min, max].
void requireArgs(const std::vector<Value>& args, std::size_t min, std::size_t max);
/// A string argument: strings as they are, numbers and bools as %v prints them, nil as "". Lists and
/// maps throw FunctionError (Go would not convert them either).
std::string stringArg(const Value& value);
/// An integer argument: integers, floats (truncated), and strings holding an integer; else throws.
std::int64_t intArg(const Value& value);
/// Sprig's strval: strings as they are, anything else as %v prints it (nil is "<nil>").
std::string strval(const Value& value);
/// Sprig's toInt64 (cast.ToInt64): numbers, bools (1/0), numeric strings; anything else is 0.
std::int64_t toInt64(const Value& value);
/// Sprig's toFloat64: like toInt64 for floats.
double toFloat64(const Value& value);
/// Sprig's `empty`: nil, false, 0, "", and empty lists and maps.
bool isEmpty(const Value& value);

}  // namespace hangar::config::gotemplate
