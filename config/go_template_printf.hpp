#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/go_template_value.hpp"

namespace hangar::config::gotemplate {

/// Go's fmt.Sprintf for template values: verbs v s q d b o x X c e E f F g G t T %, flags + - # 0 space,
/// width and precision (also `*`). Mismatches print as Go does: %!d(string=x), %!s(MISSING),
/// %!(EXTRA int=1).
std::string goSprintf(std::string_view format, const std::vector<Value>& args);

/// Go's fmt.Sprint: operands as %v, with a space between two operands when neither is a string.
std::string goSprint(const std::vector<Value>& args);

/// Go's fmt.Sprintln: operands as %v separated by spaces, then a newline.
std::string goSprintln(const std::vector<Value>& args);

}  // namespace hangar::config::gotemplate
