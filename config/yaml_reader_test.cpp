#include "config/yaml_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hangar::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

/// A reader over one YAML text, with its diagnostics.
struct Fixture {
  explicit Fixture(const std::string& text) : root(YAML::Load(text)) {}
  YAML::Node root;
  LineMap lines = LineMap::identity("f.yaml", 20);
  Diagnostics diagnostics;
  YamlReader reader{lines, diagnostics};
  SourcePosition at{"f.yaml", 1, 1};
};

TEST(YamlReader, PositionsAreOneBasedAndNullsUseTheFallback) {
  Fixture f("a: 1\nb:\n  c: [x, y]\nd:\n");
  EXPECT_EQ(f.reader.position(f.root["b"]["c"][1]).str(), "f.yaml:3:10");
  SourcePosition key{"f.yaml", 4, 1};
  EXPECT_EQ(f.reader.position(f.root["d"], key).str(), "f.yaml:4:1");
  EXPECT_EQ(f.reader.position(f.root["d"]).str(), "f.yaml");
}

TEST(YamlReader, Integers) {
  Fixture f("a: 42\nb: +7\nc: -3\nd: 1.5\ne: 0x10\nf: '5'\ng: 3000000000\nh: [1]\n");
  EXPECT_EQ(f.reader.integer(f.root["a"], "a", f.at), 42);
  EXPECT_EQ(f.reader.integer(f.root["b"], "b", f.at), 7);
  EXPECT_EQ(f.reader.integer(f.root["c"], "c", f.at), -3);
  EXPECT_FALSE(f.diagnostics.hasErrors());
  EXPECT_EQ(f.reader.integer(f.root["d"], "d", f.at), std::nullopt);
  EXPECT_EQ(f.reader.integer(f.root["e"], "e", f.at), std::nullopt);
  EXPECT_EQ(f.reader.integer(f.root["f"], "f", f.at), std::nullopt);
  EXPECT_EQ(f.reader.integer(f.root["g"], "g", f.at), std::nullopt);
  EXPECT_EQ(f.reader.integer(f.root["h"], "h", f.at), std::nullopt);
  const auto& all = f.diagnostics.all();
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].str(), "f.yaml:4:4: error: 'd' must be an integer, got '1.5'");
  EXPECT_EQ(all[1].str(), "f.yaml:5:4: error: 'e' must be an integer, got '0x10'");
  EXPECT_EQ(all[2].str(),
            "f.yaml:6:4: error: 'f' must be an integer, got the quoted string \"5\" (write the number "
            "without quotes)");
  EXPECT_EQ(all[3].str(), "f.yaml:7:4: error: 'g' is out of range: 3000000000");
  EXPECT_EQ(all[4].str(), "f.yaml:8:4: error: 'h' must be an integer, got a list");
}

TEST(YamlReader, Booleans) {
  Fixture f("a: true\nb: no\nc: On\nd: 'true'\ne: 1\n");
  EXPECT_EQ(f.reader.boolean(f.root["a"], "a", f.at), true);
  EXPECT_EQ(f.reader.boolean(f.root["b"], "b", f.at), false);
  EXPECT_EQ(f.reader.boolean(f.root["c"], "c", f.at), true);
  EXPECT_EQ(f.reader.boolean(f.root["d"], "d", f.at), std::nullopt);
  EXPECT_EQ(f.reader.boolean(f.root["e"], "e", f.at), std::nullopt);
  ASSERT_EQ(f.diagnostics.all().size(), 2u);
  EXPECT_THAT(f.diagnostics.all()[0].str(), HasSubstr("f.yaml:4:4: error: 'd' must be true or false"));
}

TEST(YamlReader, StringsAndLists) {
  Fixture f("a: 12\nb: {k: v}\nc: [x, [y, [z]]]\nd:\n");
  EXPECT_EQ(f.reader.string(f.root["a"], "a", f.at), "12");
  EXPECT_EQ(f.reader.string(f.root["d"], "d", f.at), std::nullopt);
  EXPECT_FALSE(f.diagnostics.hasErrors());
  EXPECT_EQ(f.reader.string(f.root["b"], "b", f.at), std::nullopt);
  EXPECT_THAT(f.diagnostics.str(), HasSubstr("f.yaml:2:4: error: 'b' must be a string, got a map"));

  auto flat = f.reader.stringList(f.root["c"], "c", f.at, /*flatten=*/true);
  ASSERT_TRUE(flat.has_value());
  ASSERT_EQ(flat->size(), 3u);
  EXPECT_EQ((*flat)[2].value, "z");
  EXPECT_EQ((*flat)[2].position.str(), "f.yaml:3:13");
  EXPECT_EQ(f.reader.stringList(f.root["c"], "c", f.at), std::nullopt);
  EXPECT_THAT(f.diagnostics.str(),
              HasSubstr("f.yaml:3:8: error: each entry of 'c' must be a string, got a list"));
  EXPECT_EQ(f.reader.stringList(f.root["d"], "d", f.at)->size(), 0u);
}

TEST(YamlReader, ForEachEntryReportsUnknownAndDuplicateKeys) {
  Fixture f("timeout: 1\ntimout: 2\ntimeout: 3\n[a]: 4\n");
  const std::vector<std::string_view> known = {"timeout"};
  std::vector<std::string> seen;
  f.reader.forEachEntry(f.root, "a step", known,
                        [&](const std::string& key, const SourcePosition&, const YAML::Node&) {
                          seen.push_back(key);
                          return key == "timeout";
                        });
  EXPECT_THAT(seen, ElementsAre("timeout", "timout"));
  const auto& all = f.diagnostics.all();
  ASSERT_EQ(all.size(), 3u) << f.diagnostics.str();
  EXPECT_EQ(all[0].str(), "f.yaml:2:1: error: unknown key 'timout' in a step (did you mean 'timeout'?)");
  EXPECT_EQ(all[1].str(), "f.yaml:3:1: error: duplicate key 'timeout' in a step (first given at line 1)");
  EXPECT_EQ(all[2].str(), "f.yaml:4:1: error: a key in a step must be a name, got a list");
}

}  // namespace
}  // namespace hangar::config
