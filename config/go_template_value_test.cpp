#include "config/go_template_value.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace hangar::config::gotemplate {
namespace {

using nlohmann::json;

TEST(GoTemplateValue, FormatsFloatsAsGoShortestForm) {
  EXPECT_EQ(formatFloat(1.5, 'g', -1), "1.5");
  EXPECT_EQ(formatFloat(3.0, 'g', -1), "3");
  EXPECT_EQ(formatFloat(100.0, 'g', -1), "100");
  EXPECT_EQ(formatFloat(123456.0, 'g', -1), "123456");
  EXPECT_EQ(formatFloat(1e6, 'g', -1), "1e+06");
  EXPECT_EQ(formatFloat(1234567.0, 'g', -1), "1.234567e+06");
  EXPECT_EQ(formatFloat(0.0001, 'g', -1), "0.0001");
  EXPECT_EQ(formatFloat(0.00001, 'g', -1), "1e-05");
  EXPECT_EQ(formatFloat(0.0, 'g', -1), "0");
  EXPECT_EQ(formatFloat(-2.25, 'g', -1), "-2.25");
  EXPECT_EQ(formatFloat(0.1, 'g', -1), "0.1");
  EXPECT_EQ(formatFloat(std::numeric_limits<double>::infinity(), 'g', -1), "+Inf");
  EXPECT_EQ(formatFloat(std::nan(""), 'g', -1), "NaN");
}

TEST(GoTemplateValue, FormatsFloatsWithPrecision) {
  EXPECT_EQ(formatFloat(3.14159, 'f', 2), "3.14");
  EXPECT_EQ(formatFloat(1.0, 'f', 6), "1.000000");
  EXPECT_EQ(formatFloat(1234.5678, 'e', 6), "1.234568e+03");
  EXPECT_EQ(formatFloat(1234.5678, 'e', -1), "1.2345678e+03");
  EXPECT_EQ(formatFloat(1.5, 'g', 5), "1.5");
  EXPECT_EQ(formatFloat(123456789.0, 'g', 3), "1.23e+08");
  EXPECT_EQ(formatFloat(0.0, 'e', -1), "0e+00");
  EXPECT_EQ(formatFloat(1e21, 'f', -1), "1000000000000000000000");
}

TEST(GoTemplateValue, FormatsValuesLikeGoPercentV) {
  EXPECT_EQ(formatValue(Value(json(5))), "5");
  EXPECT_EQ(formatValue(Value(json(-7))), "-7");
  EXPECT_EQ(formatValue(Value(json(2.5))), "2.5");
  EXPECT_EQ(formatValue(Value(json(true))), "true");
  EXPECT_EQ(formatValue(Value(json("x y"))), "x y");
  EXPECT_EQ(formatValue(Value()), "<nil>");
  EXPECT_EQ(formatValue(Value(json::parse(R"({"b":"x","a":1,"c":{"d":[1,"two",null]}})"))),
            "map[a:1 b:x c:map[d:[1 two <nil>]]]");
  EXPECT_EQ(formatValue(Value(json::array())), "[]");
}

TEST(GoTemplateValue, TruthFollowsGoTemplates) {
  EXPECT_FALSE(isTrue(Value()));
  EXPECT_FALSE(isTrue(Value(json(0))));
  EXPECT_FALSE(isTrue(Value(json(0.0))));
  EXPECT_FALSE(isTrue(Value(json(""))));
  EXPECT_FALSE(isTrue(Value(json::array())));
  EXPECT_FALSE(isTrue(Value(json::object())));
  EXPECT_FALSE(isTrue(Value(json(false))));
  EXPECT_TRUE(isTrue(Value(json("0"))));
  EXPECT_TRUE(isTrue(Value(json(-1))));
  EXPECT_TRUE(isTrue(Value(json::array({1}))));
}

TEST(GoTemplateValue, QuotesLikeStrconvQuote) {
  EXPECT_EQ(quoteGo("plain"), "\"plain\"");
  EXPECT_EQ(quoteGo("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(quoteGo("tab\tnl\n\x01"), "\"tab\\tnl\\n\\x01\"");
  EXPECT_EQ(quoteGo("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
  EXPECT_EQ(quoteGo("\xFF"), "\"\\xff\"");
  EXPECT_EQ(quoteGo("\xC2\x85"), "\"\\u0085\"");
}

TEST(GoTemplateValue, JsonMatchesEncodingJson) {
  EXPECT_EQ(toGoJson(json::parse(R"({"b":[1,2.5,"x"],"a":null,"c":true})")),
            R"({"a":null,"b":[1,2.5,"x"],"c":true})");
  EXPECT_EQ(toGoJson(json("<a&b>")), R"("\u003ca\u0026b\u003e")");
  EXPECT_EQ(toGoJson(json("<a>"), false, false), R"("<a>")");
  EXPECT_EQ(toGoJson(json("line\nbreak\x01")), R"("line\nbreak\u0001")");
  EXPECT_EQ(toGoJson(json(5.0)), "5");
  EXPECT_EQ(toGoJson(json(1e21)), "1e+21");
  EXPECT_EQ(toGoJson(json(1e-7)), "1e-7");
  EXPECT_EQ(toGoJson(json(0.000001)), "0.000001");
  EXPECT_EQ(toGoJson(json::parse(R"({"a":[1,{}],"b":[]})"), true),
            "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": []\n}");
  EXPECT_THROW(toGoJson(json(std::numeric_limits<double>::infinity())), std::domain_error);
}

TEST(GoTemplateValue, ShellQuotesLikeAcb) {
  EXPECT_EQ(shellQuote(""), "''");
  EXPECT_EQ(shellQuote("abc-1.2_x:y/z@v=+%,^"), "abc-1.2_x:y/z@v=+%,^");
  EXPECT_EQ(shellQuote("{\"a\":1}"), "'{\"a\":1}'");
  EXPECT_EQ(shellQuote("it's"), "'it'\"'\"'s'");
  EXPECT_EQ(shellQuote("a b"), "'a b'");
}

TEST(GoTemplateValue, NamesGoTypes) {
  EXPECT_EQ(typeName(Value()), "<nil>");
  EXPECT_EQ(typeName(Value(json(1))), "int");
  EXPECT_EQ(typeName(Value(json(1.5))), "float64");
  EXPECT_EQ(typeName(Value(json("s"))), "string");
  EXPECT_EQ(typeName(Value(json::object())), "map[string]interface {}");
  EXPECT_EQ(typeName(Value(json::array())), "[]interface {}");
  EXPECT_EQ(typeName(Value::ofTime(TimePoint{})), "time.Time");
}

}  // namespace
}  // namespace hangar::config::gotemplate
