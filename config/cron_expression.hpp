#pragma once

#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace hangar::config {

/// A 5-field cron schedule evaluated in UTC (NCrontab syntax: `*`, `a`, `a-b`, lists, steps `*/n`,
/// `a-b/n` and `a/n`, month names Jan..Dec and weekday names Sun..Sat in any case, 0 and 7 both
/// Sunday), plus the shortcuts `@yearly @annually @monthly @weekly @daily @midnight @hourly`.
/// When both day-of-month and day-of-week are restricted (neither starts with `*`), a day matches if
/// either matches, as in Vixie cron; otherwise both must match.
class CronExpression {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  /// How far nextAfter() looks ahead: long enough for a Feb 29 schedule across a century year
  /// (2096 -> 2104), short enough to answer "never" (Feb 30) quickly.
  static constexpr int kSearchDays = 9 * 366;

  /// Parses `text`; throws std::invalid_argument naming the field and the value that is wrong.
  static CronExpression parse(std::string_view text);

  /// The first firing strictly after `t`, at minute resolution, or nothing when the schedule does
  /// not fire within kSearchDays (e.g. `0 0 30 2 *`).
  std::optional<TimePoint> nextAfter(TimePoint t) const;

  /// The expression as written (surrounding whitespace trimmed, inner runs of spaces collapsed).
  std::string str() const { return text_; }

  bool operator==(const CronExpression& other) const = default;

 private:
  CronExpression() = default;
  bool dayMatches(std::chrono::year_month_day date) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> daysOfMonth_;  // 1..31
  std::bitset<13> months_;       // 1..12
  std::bitset<7> daysOfWeek_;    // 0 = Sunday
  bool dayOfMonthStar_ = false;
  bool dayOfWeekStar_ = false;
};

}  // namespace hangar::config
