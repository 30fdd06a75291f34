#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace hangar::registry {

/// Parses a Go time.Duration string ("1h30m", "1.5h", "-15m", "0", units ns us µs ms s m h). Throws
/// std::invalid_argument with Go's messages: `time: missing unit in duration "15"`,
/// `time: unknown unit "p" in duration "15p"`, `time: invalid duration "x"`.
std::chrono::nanoseconds parseGoDuration(std::string_view text);

/// An `acr purge --ago` value and whether it was capped.
struct AgoDuration {
  std::chrono::nanoseconds value{0};
  bool capped = false;  ///< the value exceeded 150 years and was capped to 150 × 365 days
};

/// Parses `--ago`: `[N]d[go-duration]` (days, then an optional Go duration) or a Go duration alone
/// ("3d" = 72h, "1d1h3m" = 25h3m, "-1d" = minus a day). Capped at 150 × 365 days (no overflow).
/// Throws std::invalid_argument ("EOF" for an empty string, Go's messages otherwise).
AgoDuration parseAgo(std::string_view text);

/// The warning acr purge prints when parseAgo capped the value.
inline constexpr const char* kAgoCapWarning =
    "Warning: ago value exceeds maximum duration of 150 years, capping to 150 years";

}  // namespace hangar::registry
