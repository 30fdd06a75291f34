#include "config/go_template_printf.hpp"

#include <gtest/gtest.h>

namespace hangar::config::gotemplate {
namespace {

using nlohmann::json;

std::string sprintf(std::string_view format, std::vector<json> args) {
  std::vector<Value> values;
  for (json& a : args) values.emplace_back(std::move(a));
  return goSprintf(format, values);
}

TEST(GoTemplatePrintf, FormatsCommonVerbs) {
  EXPECT_EQ(sprintf("%s-%d-%v", {"a", 5, 2.5}), "a-5-2.5");
  EXPECT_EQ(sprintf("%q", {"a\"b"}), "\"a\\\"b\"");
  EXPECT_EQ(sprintf("%t %v", {true, nullptr}), "true <nil>");
  EXPECT_EQ(sprintf("%x %X %o %b %c", {255, 255, 8, 5, 65}), "ff FF 10 101 A");
  EXPECT_EQ(sprintf("%x", {"hi"}), "6869");
  EXPECT_EQ(sprintf("%.2f %e %g", {3.14159, 1234.5, 0.5}), "3.14 1.234500e+03 0.5");
  EXPECT_EQ(sprintf("100%%", {}), "100%");
  EXPECT_EQ(sprintf("%v", {json::parse(R"({"a":[1,2]})")}), "map[a:[1 2]]");
  EXPECT_EQ(sprintf("%T %T", {1, "s"}), "int string");
}

TEST(GoTemplatePrintf, AppliesWidthPrecisionAndFlags) {
  EXPECT_EQ(sprintf("[%5s][%-5s][%05d][%+d][%.2s]", {"ab", "ab", 42, 7, "abcdef"}),
            "[   ab][ab   ][00042][+7][ab]");
  EXPECT_EQ(sprintf("[%*d][%-*d]", {4, 1, 3, 2}), "[   1][2  ]");
  EXPECT_EQ(sprintf("[%8.3f][%-8.2f][%08.2f]", {3.14159, 2.5, -1.5}), "[   3.142][2.50    ][-0001.50]");
  EXPECT_EQ(sprintf("%#x", {255}), "0xff");
}

TEST(GoTemplatePrintf, ReportsMismatchesAsGoDoes) {
  EXPECT_EQ(sprintf("%d", {"x"}), "%!d(string=x)");
  EXPECT_EQ(sprintf("%s", {5}), "%!s(int=5)");
  EXPECT_EQ(sprintf("%d %d", {1}), "1 %!d(MISSING)");
  EXPECT_EQ(sprintf("%d", {1, "x", 2}), "1%!(EXTRA string=x, int=2)");
  EXPECT_EQ(sprintf("%d", {nullptr}), "%!d(<nil>)");
  EXPECT_EQ(sprintf("end%", {}), "end%!(NOVERB)");
}

TEST(GoTemplatePrintf, SprintSpacesOnlyBetweenNonStrings) {
  EXPECT_EQ(goSprint({Value(json(1)), Value(json(2)), Value(json("a")), Value(json(3)), Value(json("b")),
                      Value(json("c"))}),
            "1 2a3bc");
  EXPECT_EQ(goSprintln({Value(json("a")), Value(json(1))}), "a 1\n");
}

}  // namespace
}  // namespace hangar::config::gotemplate
