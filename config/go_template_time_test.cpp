#include "config/go_template_time.hpp"

#include <gtest/gtest.h>

namespace hangar::config::gotemplate {
namespace {

/// 2024-01-31T23:59:59.123456789Z, a Wednesday.
TimePoint sample() {
  using namespace std::chrono;
  return TimePoint(sys_days(year(2024) / January / 31) + hours(23) + minutes(59) + seconds(59) +
                   nanoseconds(123456789));
}

TEST(GoTemplateTime, FormatsTheRunDateLayout) {
  EXPECT_EQ(formatGoTime(sample(), "20060102-150405z"), "20240131-235959z");
}

TEST(GoTemplateTime, FormatsCommonLayouts) {
  EXPECT_EQ(formatGoTime(sample(), "2006-01-02T15:04:05Z07:00"), "2024-01-31T23:59:59Z");
  EXPECT_EQ(formatGoTime(sample(), "Mon Jan _2 15:04:05 MST 2006"), "Wed Jan 31 23:59:59 UTC 2024");
  EXPECT_EQ(formatGoTime(sample(), "Monday, January 2, 06"), "Wednesday, January 31, 24");
  EXPECT_EQ(formatGoTime(sample(), "3:04PM 03 pm"), "11:59PM 11 pm");
  EXPECT_EQ(formatGoTime(sample(), "-0700 -07:00 -07 Z0700"), "+0000 +00:00 +00 Z");
  EXPECT_EQ(formatGoTime(sample(), "002 __2 1/2"), "031  31 1/31");
  EXPECT_EQ(formatGoTime(sample(), "05.000 05,999999 .9"), "59.123 59,123456 .1");
}

TEST(GoTemplateTime, TrimsAnEmptyFraction) {
  using namespace std::chrono;
  const TimePoint whole(sys_days(year(2020) / March / 5) + hours(7) + minutes(8) + seconds(9));
  EXPECT_EQ(formatGoTime(whole, "15:04:05.999"), "07:08:09");
  EXPECT_EQ(formatGoTime(whole, "15:04:05.000"), "07:08:09.000");
  EXPECT_EQ(formatTimeDefault(whole), "2020-03-05 07:08:09 +0000 UTC");
  EXPECT_EQ(formatTimeDefault(sample()), "2024-01-31 23:59:59.123456789 +0000 UTC");
}

}  // namespace
}  // namespace hangar::config::gotemplate
