#include "config/values.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "config/diagnostic.hpp"

namespace hangar::config {
namespace {

using nlohmann::json;

TEST(Values, ResolvesPlainScalarsLikeYamlV2) {
  EXPECT_EQ(resolveYamlScalar("5"), json(5));
  EXPECT_EQ(resolveYamlScalar("-12"), json(-12));
  EXPECT_EQ(resolveYamlScalar("+7"), json(7));
  EXPECT_EQ(resolveYamlScalar("1_000"), json(1000));
  EXPECT_EQ(resolveYamlScalar("0x1F"), json(31));
  EXPECT_EQ(resolveYamlScalar("0o17"), json(15));
  EXPECT_EQ(resolveYamlScalar("0b101"), json(5));
  EXPECT_EQ(resolveYamlScalar("0777"), json(511));
  EXPECT_EQ(resolveYamlScalar("18446744073709551615"), json(18446744073709551615ULL));
  EXPECT_TRUE(resolveYamlScalar("1.5").is_number_float());
  EXPECT_EQ(resolveYamlScalar("1e3").get<double>(), 1000.0);
  EXPECT_EQ(resolveYamlScalar("08").get<double>(), 8.0);
  EXPECT_TRUE(std::isinf(resolveYamlScalar(".inf").get<double>()));
  EXPECT_TRUE(std::isnan(resolveYamlScalar(".NaN").get<double>()));
  for (const char* t : {"true", "True", "TRUE", "yes", "on", "y", "Y"})
    EXPECT_EQ(resolveYamlScalar(t), json(true)) << t;
  for (const char* f : {"false", "no", "Off", "n", "N"}) EXPECT_EQ(resolveYamlScalar(f), json(false)) << f;
  for (const char* n : {"", "~", "null", "NULL"}) EXPECT_TRUE(resolveYamlScalar(n).is_null()) << n;
  EXPECT_EQ(resolveYamlScalar("2024-01-31"), json("2024-01-31"));
  EXPECT_EQ(resolveYamlScalar("v1.0"), json("v1.0"));
  EXPECT_EQ(resolveYamlScalar("1.2.3"), json("1.2.3"));
  EXPECT_EQ(resolveYamlScalar("tRue"), json("tRue"));
}

TEST(Values, LoadsAValuesFile) {
  const json v = parseValuesYaml(
      "born: 1867\nfirst: Marie\nquoted: \"5\"\nflag: yes\nratio: 0.5\nnothing:\n"
      "awards:\n  - Nobel Prize in Physics\n  - Davy Medal\nnested:\n  a: {b: 1}\nblock: |\n  x\n",
      "values.yaml");
  EXPECT_EQ(v,
            json::parse(R"({"born":1867,"first":"Marie","quoted":"5","flag":true,"ratio":0.5,"nothing":null,
      "awards":["Nobel Prize in Physics","Davy Medal"],"nested":{"a":{"b":1}},"block":"x\n"})"));
}

TEST(Values, AppliesMergeKeys) {
  const json v = parseValuesYaml("base: &b {a: 1, b: 2}\nderived:\n  <<: *b\n  b: 3\n", "v.yaml");
  EXPECT_EQ(v["derived"], json::parse(R"({"a":1,"b":3})"));
}

TEST(Values, EmptyFileIsAnEmptyMap) {
  EXPECT_EQ(parseValuesYaml("", "v.yaml"), json::object());
  EXPECT_EQ(parseValuesYaml("# only a comment\n", "v.yaml"), json::object());
}

TEST(Values, ReportsSyntaxErrorsWithPosition) {
  try {
    parseValuesYaml("a: 1\nb: [1, 2\n", "vals.yaml");
    FAIL() << "no error";
  } catch (const TaskError& e) {
    ASSERT_EQ(e.diagnostics().all().size(), 1u);
    const Diagnostic& d = e.diagnostics().all()[0];
    EXPECT_EQ(d.position.file, "vals.yaml");
    EXPECT_GE(d.position.line, 2);
  }
  try {
    parseValuesYaml("- a\n- b\n", "vals.yaml");
    FAIL() << "no error";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.diagnostics().all()[0].str(),
              "vals.yaml:1:1: error: a values file must be a map of names to values");
  }
}

TEST(Values, SetPairsAreStringsAsInAcb) {
  const json v = parseSetValues({"n=5", "b=true", "url=http://x/?a=b", "empty=", "n=6", "a.b=c"});
  EXPECT_EQ(v, json::parse(R"({"n":"6","b":"true","url":"http://x/?a=b","empty":"","a.b":"c"})"));
}

TEST(Values, SetPairsCanBeTypedAsScalars) {
  const json v = parseSetValues({"n=5", "b=true", "f=1.5", "s=hello", "z=null"}, SetValueTyping::Scalars);
  EXPECT_EQ(v["n"], json(5));
  EXPECT_EQ(v["b"], json(true));
  EXPECT_EQ(v["f"], json(1.5));
  EXPECT_EQ(v["s"], json("hello"));
  EXPECT_TRUE(v["z"].is_null());
}

TEST(Values, RejectsBadSetPairsWithoutEchoingThem) {
  try {
    parseSetValues({"ok=1", "s3cr3t-value"});
    FAIL() << "no error";
  } catch (const TaskError& e) {
    EXPECT_EQ(std::string(e.what()), "--set: error: value 2 of 2 is not KEY=VALUE (no '=')\n");
    EXPECT_EQ(std::string(e.what()).find("s3cr3t"), std::string::npos);
  }
  EXPECT_THROW(parseSetValues({"=x"}), TaskError);
}

TEST(Values, MergesSetOverTheValuesFile) {
  std::vector<std::string> warnings;
  const json base = json::parse(R"({"a":1,"keep":"k","map":{"x":1,"y":{"z":2}},"gone":"g","scalar":"s"})");
  const json over =
      json::parse(R"({"a":2,"new":"n","map":{"y":{"w":3},"x":5},"gone":null,"scalar":{"m":1}})");
  const json merged = mergeValues(base, over, warnings);
  EXPECT_EQ(merged,
            json::parse(R"({"a":2,"keep":"k","map":{"x":5,"y":{"z":2,"w":3}},"new":"n","scalar":"s"})"));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "value 'scalar': cannot override a scalar with a map; kept the values file's value");

  warnings.clear();
  const json clash =
      mergeValues(json::parse(R"({"m":{"a":{"b":1}}})"), json::parse(R"({"m":{"a":"flat"}})"), warnings);
  EXPECT_EQ(clash, json::parse(R"({"m":{"a":{"b":1}}})"));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "value 'm.a': cannot override a map with a scalar; kept the values file's map");
}

}  // namespace
}  // namespace hangar::config
