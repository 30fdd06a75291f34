#pragma once

#include <string>
#include <string_view>

#include "config/go_template_value.hpp"

namespace hangar::config::gotemplate {

/// Go's Time.String() for a UTC time: "2006-01-02 15:04:05.999999999 +0000 UTC" (fraction trimmed).
std::string formatTimeDefault(TimePoint t);

/// Go's Time.Format for a UTC time and a reference layout such as "2006-01-02T15:04:05Z07:00" or
/// "20060102-150405": Jan/January, Mon/Monday, 01/1, 02/2/_2, 002, 15/03/3, 04/4, 05/5, 2006/06, PM/pm,
/// MST, -0700/-07:00/-07, Z0700/Z07:00/Z07, .000/.999 (and with ','). Other text is copied.
std::string formatGoTime(TimePoint t, std::string_view layout);

}  // namespace hangar::config::gotemplate
