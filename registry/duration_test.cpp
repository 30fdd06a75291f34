#include "registry/duration.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hangar::registry {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

std::string errorOf(std::string_view text) {
  try {
    parseAgo(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(Duration, AgoExamplesFromAcrCli) {
  EXPECT_EQ(parseAgo("15m").value, 15min);
  EXPECT_EQ(parseAgo("1d1h3m").value, 25h + 3min);
  EXPECT_EQ(parseAgo("3d").value, 72h);
  EXPECT_EQ(parseAgo("0m").value, 0ns);
  EXPECT_EQ(parseAgo("-1d").value, -24h);
  EXPECT_EQ(parseAgo("1.5h").value, 90min);
  EXPECT_FALSE(parseAgo("3d").capped);
}

TEST(Duration, AgoErrorsUseGoMessages) {
  EXPECT_EQ(errorOf("15"), "time: missing unit in duration \"15\"");
  EXPECT_EQ(errorOf("15p"), "time: unknown unit \"p\" in duration \"15p\"");
  EXPECT_EQ(errorOf(""), "EOF");
  EXPECT_EQ(errorOf("abc"), "time: invalid duration \"abc\"");
}

TEST(Duration, HugeAgoIsCappedNotOverflowed) {
  for (const char* text : {"999999d", "9999999d999999999h"}) {
    const auto ago = parseAgo(text);
    EXPECT_TRUE(ago.capped) << text;
    EXPECT_EQ(ago.value, duration_cast<nanoseconds>(hours(150 * 365 * 24))) << text;
    EXPECT_GT(ago.value, 0ns);
  }
}

TEST(Duration, GoDurationUnits) {
  EXPECT_EQ(parseGoDuration("1h2m3s4ms5us6ns"), 1h + 2min + 3s + 4ms + 5us + 6ns);
  EXPECT_EQ(parseGoDuration(std::string("3") + "\xC2\xB5s"), 3us);
  EXPECT_EQ(parseGoDuration("-.5s"), -500ms);
  EXPECT_EQ(parseGoDuration("0"), 0ns);
  EXPECT_THROW(parseGoDuration("."), std::invalid_argument);
}

}  // namespace
}  // namespace hangar::registry
