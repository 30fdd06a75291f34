#include "config/cron_expression.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace hangar::config {
namespace {

using namespace std::chrono;
using TimePoint = CronExpression::TimePoint;

/// "YYYY-MM-DD HH:MM" (UTC) as a time point.
TimePoint at(const char* text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  if (std::sscanf(text, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi) != 5) throw std::logic_error(text);
  const year_month_day date{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!date.ok()) throw std::logic_error(std::string("bad date ") + text);
  return TimePoint(sys_days(date) + hours(h) + minutes(mi));
}

std::string show(std::optional<TimePoint> t) {
  if (!t) return "never";
  const sys_days day = floor<days>(*t);
  const year_month_day date(day);
  const auto minuteOfDay = duration_cast<minutes>(*t - day).count();
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u %02lld:%02lld", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<long long>(minuteOfDay / 60), static_cast<long long>(minuteOfDay % 60));
  return buffer;
}

/// The next `count` firings after `from`, formatted.
std::vector<std::string> firings(std::string_view expression, const char* from, int count) {
  const CronExpression cron = CronExpression::parse(expression);
  std::vector<std::string> out;
  std::optional<TimePoint> t = at(from);
  for (int i = 0; i < count && t; ++i) {
    t = cron.nextAfter(*t);
    out.push_back(show(t));
  }
  return out;
}

std::string next(std::string_view expression, const char* from) {
  return show(CronExpression::parse(expression).nextAfter(at(from)));
}

std::string parseError(std::string_view expression) {
  try {
    CronExpression::parse(expression);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(CronExpression, EveryMinuteFiresStrictlyAfterAtMinuteResolution) {
  EXPECT_THAT(firings("* * * * *", "2026-01-01 10:00", 3),
              testing::ElementsAre("2026-01-01 10:01", "2026-01-01 10:02", "2026-01-01 10:03"));
  // Seconds inside a minute round down first: 10:00:30 -> 10:01, never 10:00:30 + 1 min.
  const auto cron = CronExpression::parse("* * * * *");
  EXPECT_EQ(show(cron.nextAfter(at("2026-01-01 10:00") + seconds(30))), "2026-01-01 10:01");
  EXPECT_EQ(show(cron.nextAfter(at("2026-01-01 10:00") - nanoseconds(1))), "2026-01-01 10:00");
}

TEST(CronExpression, SingleValuesAndDailySchedule) {
  EXPECT_EQ(next("0 2 * * *", "2026-03-10 01:59"), "2026-03-10 02:00");
  EXPECT_EQ(next("0 2 * * *", "2026-03-10 02:00"), "2026-03-11 02:00");
  EXPECT_EQ(next("30 14 * * *", "2026-03-10 15:00"), "2026-03-11 14:30");
}

TEST(CronExpression, RangesListsAndSteps) {
  EXPECT_THAT(firings("*/15 * * * *", "2026-01-01 10:00", 5),
              testing::ElementsAre("2026-01-01 10:15", "2026-01-01 10:30", "2026-01-01 10:45",
                                   "2026-01-01 11:00", "2026-01-01 11:15"));
  EXPECT_THAT(firings("5,10-12 9 * * *", "2026-01-01 00:00", 5),
              testing::ElementsAre("2026-01-01 09:05", "2026-01-01 09:10", "2026-01-01 09:11",
                                   "2026-01-01 09:12", "2026-01-02 09:05"));
  EXPECT_THAT(
      firings("0 8-18/4 * * *", "2026-01-01 00:00", 4),
      testing::ElementsAre("2026-01-01 08:00", "2026-01-01 12:00", "2026-01-01 16:00", "2026-01-02 08:00"));
  // `a/n` runs from a to the end of the field.
  EXPECT_THAT(firings("50/5 * * * *", "2026-01-01 00:00", 3),
              testing::ElementsAre("2026-01-01 00:50", "2026-01-01 00:55", "2026-01-01 01:50"));
  // Day-of-month steps start at 1: 1, 11, 21, 31.
  EXPECT_THAT(
      firings("0 0 */10 * *", "2026-01-01 00:00", 4),
      testing::ElementsAre("2026-01-11 00:00", "2026-01-21 00:00", "2026-01-31 00:00", "2026-02-01 00:00"));
}

TEST(CronExpression, MonthAndWeekdayNamesAnyCase) {
  // 2026-01-01 is a Thursday.
  EXPECT_THAT(firings("0 9 * * Mon-FRI", "2026-01-01 10:00", 3),
              testing::ElementsAre("2026-01-02 09:00", "2026-01-05 09:00", "2026-01-06 09:00"));
  EXPECT_THAT(firings("0 0 1 jan,Jul *", "2026-01-01 00:00", 2),
              testing::ElementsAre("2026-07-01 00:00", "2027-01-01 00:00"));
  EXPECT_EQ(CronExpression::parse("0 0 * Mar-May sun").nextAfter(at("2026-01-01 00:00")),
            std::optional<TimePoint>(at("2026-03-01 00:00")));  // 2026-03-01 is a Sunday
}

TEST(CronExpression, ZeroAndSevenAreBothSunday) {
  EXPECT_EQ(next("0 0 * * 0", "2026-01-01 00:00"), "2026-01-04 00:00");
  EXPECT_EQ(next("0 0 * * 7", "2026-01-01 00:00"), "2026-01-04 00:00");
  EXPECT_EQ(next("0 0 * * 5-7", "2026-01-03 12:00"), "2026-01-04 00:00");
}

TEST(CronExpression, DayOfMonthOrDayOfWeekWhenBothRestricted) {
  // The 15th OR any Monday; January 2026: Mondays are 5, 12, 19, 26.
  EXPECT_THAT(firings("0 0 15 * Mon", "2026-01-01 00:00", 5),
              testing::ElementsAre("2026-01-05 00:00", "2026-01-12 00:00", "2026-01-15 00:00",
                                   "2026-01-19 00:00", "2026-01-26 00:00"));
  // With day-of-week `*`, only the day of month counts.
  EXPECT_THAT(firings("0 0 15 * *", "2026-01-01 00:00", 2),
              testing::ElementsAre("2026-01-15 00:00", "2026-02-15 00:00"));
  // `*/2` on day-of-week starts with '*', so it is combined with AND: the 1st when it is Sun/Tue/Thu/Sat.
  // 2026: Jan 1 Thu (match), Feb 1 Sun (match), Mar 1 Sun, Apr 1 Wed (no), May 1 Fri (no), Jun 1 Mon (no),
  // Jul 1 Wed, Aug 1 Sat (match).
  EXPECT_THAT(
      firings("0 0 1 * */2", "2025-12-31 00:00", 4),
      testing::ElementsAre("2026-01-01 00:00", "2026-02-01 00:00", "2026-03-01 00:00", "2026-08-01 00:00"));
}

TEST(CronExpression, Shortcuts) {
  EXPECT_EQ(next("@yearly", "2026-05-05 05:05"), "2027-01-01 00:00");
  EXPECT_EQ(next("@annually", "2026-05-05 05:05"), "2027-01-01 00:00");
  EXPECT_EQ(next("@monthly", "2026-05-05 05:05"), "2026-06-01 00:00");
  EXPECT_EQ(next("@weekly", "2026-01-01 00:00"), "2026-01-04 00:00");
  EXPECT_EQ(next("@daily", "2026-05-05 05:05"), "2026-05-06 00:00");
  EXPECT_EQ(next("@MIDNIGHT", "2026-05-05 05:05"), "2026-05-06 00:00");
  EXPECT_EQ(next("@hourly", "2026-05-05 05:05"), "2026-05-05 06:00");
  EXPECT_THAT(parseError("@reboot"), testing::HasSubstr("unknown shortcut"));
}

TEST(CronExpression, StrKeepsTheTextWithSpacesCollapsed) {
  EXPECT_EQ(CronExpression::parse("  0   2 * *\t* ").str(), "0 2 * * *");
  EXPECT_EQ(CronExpression::parse("@Daily").str(), "@Daily");
}

TEST(CronExpression, CrossesMonthAndYearBoundaries) {
  EXPECT_EQ(next("59 23 31 * *", "2026-01-31 23:59"), "2026-03-31 23:59");  // no Feb 31
  EXPECT_EQ(next("0 0 * * *", "2026-12-31 23:59"), "2027-01-01 00:00");
  EXPECT_EQ(next("0 0 31 * *", "2026-04-01 00:00"), "2026-05-31 00:00");
  EXPECT_EQ(next("*/30 * * * *", "2026-12-31 23:45"), "2027-01-01 00:00");
}

TEST(CronExpression, LeapDays) {
  EXPECT_EQ(next("0 12 29 2 *", "2025-01-01 00:00"), "2028-02-29 12:00");
  EXPECT_EQ(next("0 12 29 2 *", "2028-02-29 12:00"), "2032-02-29 12:00");
  // 2100 is not a leap year: 2096 -> 2104, eight years, still inside the search bound.
  EXPECT_EQ(next("0 0 29 Feb *", "2096-03-01 00:00"), "2104-02-29 00:00");
  EXPECT_EQ(next("0 0 * * *", "2028-02-28 00:00"), "2028-02-29 00:00");
  EXPECT_EQ(next("0 0 * * *", "2027-02-28 00:00"), "2027-03-01 00:00");
}

TEST(CronExpression, ImpossibleDatesNeverFire) {
  EXPECT_EQ(CronExpression::parse("0 0 30 2 *").nextAfter(at("2026-01-01 00:00")), std::nullopt);
  EXPECT_EQ(CronExpression::parse("0 0 31 Apr,Jun,Sep,Nov *").nextAfter(at("2026-01-01 00:00")),
            std::nullopt);
  // With a restricted weekday too, the OR rule makes it fire on that weekday.
  EXPECT_EQ(next("0 0 30 2 Mon", "2026-01-01 00:00"), "2026-02-02 00:00");
}

TEST(CronExpression, ErrorsNameTheFieldAndTheValue) {
  EXPECT_THAT(parseError("60 * * * *"), testing::AllOf(testing::HasSubstr("minute field '60'"),
                                                       testing::HasSubstr("out of range 0-59")));
  EXPECT_THAT(parseError("0 24 * * *"), testing::HasSubstr("hour field '24': value 24 is out of range 0-23"));
  EXPECT_THAT(parseError("0 0 0 * *"),
              testing::HasSubstr("day-of-month field '0': value 0 is out of range 1-31"));
  EXPECT_THAT(parseError("0 0 32 * *"), testing::HasSubstr("day-of-month field '32'"));
  EXPECT_THAT(parseError("0 0 * 13 *"), testing::HasSubstr("month field '13'"));
  EXPECT_THAT(parseError("0 0 * * 8"), testing::HasSubstr("day-of-week field '8'"));
  EXPECT_THAT(parseError("0 0 * Foo *"),
              testing::AllOf(testing::HasSubstr("month field 'Foo'"), testing::HasSubstr("jan..dec")));
  EXPECT_THAT(parseError("0 0 * * Mon-Funday"), testing::HasSubstr("'Funday' is not a number or a name"));
  EXPECT_THAT(parseError("Mon 0 * * *"), testing::HasSubstr("minute field 'Mon': 'Mon' is not a number"));
  EXPECT_THAT(parseError("*/0 * * * *"), testing::HasSubstr("step '0' must be a number from 1 to 60"));
  EXPECT_THAT(parseError("*/61 * * * *"), testing::HasSubstr("step '61'"));
  EXPECT_THAT(parseError("*/x * * * *"), testing::HasSubstr("step 'x'"));
  EXPECT_THAT(parseError("*/ * * * *"), testing::HasSubstr("step ''"));
  EXPECT_THAT(parseError("0 5-3 * * *"), testing::HasSubstr("range 5-3 goes backwards"));
  EXPECT_THAT(parseError("1,,2 * * * *"), testing::HasSubstr("empty list entry"));
  EXPECT_THAT(parseError("-1 * * * *"), testing::HasSubstr("minute field '-1': a value is missing"));
  EXPECT_THAT(
      parseError("0 0 * * * *"),
      testing::HasSubstr("'0 0 * * * *' must have 5 fields (minute hour day-of-month month day-of-week), "
                         "got 6"));
  EXPECT_THAT(parseError("0 0 * *"), testing::HasSubstr("got 4"));
  EXPECT_THAT(parseError("   "), testing::HasSubstr("empty"));
}

}  // namespace
}  // namespace hangar::config
