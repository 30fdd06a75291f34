#include "config/alias_definitions.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace hangar::config {
namespace {

SourceText block(std::string text, int firstLine = 1) {
  SourceText s{std::move(text), {"task.yaml", {}}};
  int lines = 0;
  for (char c : s.text) lines += c == '\n';
  for (int i = 0; i < lines; ++i) s.lines.originalLine.push_back(firstLine + i);
  return s;
}

TEST(AliasDefinitions, ParsesTheBlock) {
  Diagnostics d;
  const auto parsed = parseAliasBlock(block("alias:\n  src:\n    - a.yaml\n    - https://x/b.yaml\n  "
                                            "values:\n    img: ubuntu\n    multi: |\n      a\n"
                                            "      b\n    empty:\n  directive: \"#\"\n",
                                            10),
                                      d);
  ASSERT_TRUE(parsed) << d.str();
  EXPECT_EQ(parsed->spec.src, (std::vector<std::string>{"a.yaml", "https://x/b.yaml"}));
  EXPECT_EQ(parsed->spec.values,
            (std::map<std::string, std::string>{{"img", "ubuntu"}, {"multi", "a\nb\n"}, {"empty", ""}}));
  EXPECT_EQ(parsed->spec.directive, "#");
  EXPECT_EQ(parsed->srcPositions[1].line, 13);
  EXPECT_EQ(parsed->valuePositions.at("img").line, 15);
  EXPECT_TRUE(d.all().empty());
}

TEST(AliasDefinitions, ReportsBadShapesAndWarnsOnUnknownKeys) {
  Diagnostics d;
  EXPECT_FALSE(parseAliasBlock(block("alias:\n  src: one.yaml\n  valuez: {}\n"), d));
  EXPECT_EQ(
      d.str(),
      "task.yaml:2:3: error: 'alias.src' must be a list of files or URLs, got a scalar\n"
      "task.yaml:3:3: warning: unknown key 'valuez' in alias is ignored (known: src, values, directive)\n");
  Diagnostics nested;
  EXPECT_FALSE(parseAliasBlock(block("alias:\n  values:\n    k: {a: 1}\n"), nested));
  EXPECT_TRUE(nested.hasErrors());
  Diagnostics empty;
  EXPECT_TRUE(parseAliasBlock(block("alias:\n"), empty));
  EXPECT_TRUE(empty.all().empty());
}

TEST(AliasDefinitions, GlobalDefaults) {
  const auto onLinux = globalDefaultAliases("linux");
  EXPECT_EQ(onLinux.at("Registry"), "{{.Run.Registry}}");
  EXPECT_EQ(onLinux.at("acr"), "mcr.microsoft.com/acr/acr-cli:0.19");
  EXPECT_EQ(onLinux.at("bash"), "mcr.microsoft.com/acr/bash:2ff604c");
  EXPECT_EQ(onLinux.size(), 14u);
  EXPECT_FALSE(onLinux.count("TaskName"));
  const auto windows = globalDefaultAliases("windows");
  EXPECT_EQ(windows.size(), 9u);
  EXPECT_FALSE(windows.count("bash"));
}

TEST(AliasDefinitions, PrecedenceValuesThenSourcesLastToFirstThenDefaults) {
  test::TempDir dir;
  dir.write("first.yaml", "shared: first\nonlyFirst: 1\nbash: custom-bash\n");
  dir.write("sub/second.yaml", "shared: second\nown: mine\n");
  AliasBlock b;
  b.spec.src = {"first.yaml", "https://example.invalid/remote.yaml", "sub/second.yaml"};
  b.spec.values = {{"own", "from-values"}};
  std::vector<std::string> fetched;
  AliasSources sources{dir.path(), [&](const std::string& url) {
                         fetched.push_back(url);
                         return std::string("shared: remote\nremote: r\n");
                       }};
  Diagnostics d;
  const auto defs = loadAliasDefinitions(b, sources, d);
  ASSERT_TRUE(defs) << d.str();
  EXPECT_EQ(defs->values.at("own"), "from-values");
  EXPECT_EQ(defs->values.at("shared"), "second");
  EXPECT_EQ(defs->values.at("remote"), "r");
  EXPECT_EQ(defs->values.at("onlyFirst"), "1");
  EXPECT_EQ(defs->values.at("bash"), "custom-bash");
  EXPECT_EQ(defs->values.at("az"), "mcr.microsoft.com/acr/azure-cli:2ff604c");
  EXPECT_EQ(defs->directive, U'$');
  EXPECT_EQ(fetched, (std::vector<std::string>{"https://example.invalid/remote.yaml"}));
}

TEST(AliasDefinitions, SourceErrorsPointAtTheEntry) {
  test::TempDir dir;
  dir.write("bad.yaml", "\"{{.Run.Registry}}\"\nid: x\n");
  dir.write("list.yaml", "- a\n");
  AliasBlock b;
  b.spec.src = {"missing.yaml", "bad.yaml", "list.yaml", "../escape.yaml", "http://x/y"};
  b.srcPositions = {{"t.yaml", 3, 7}, {"t.yaml", 4, 7}, {"t.yaml", 5, 7}, {"t.yaml", 6, 7}, {"t.yaml", 7, 7}};
  Diagnostics d;
  EXPECT_FALSE(loadAliasDefinitions(b, AliasSources{dir.path(), {}}, d));
  const std::string all = d.str();
  EXPECT_NE(all.find("t.yaml:3:7: error: alias src 'missing.yaml': cannot read"), std::string::npos) << all;
  EXPECT_NE(all.find("t.yaml:4:7: error: alias src 'bad.yaml': "), std::string::npos) << all;
  EXPECT_NE(
      all.find(
          "t.yaml:5:7: error: alias src 'list.yaml': must be a map of alias names to values, got a list"),
      std::string::npos)
      << all;
  EXPECT_NE(all.find("t.yaml:6:7: error: alias src '../escape.yaml': it points outside the source context"),
            std::string::npos)
      << all;
  EXPECT_NE(
      all.find("t.yaml:7:7: error: alias src 'http://x/y': remote alias sources are not supported here"),
      std::string::npos)
      << all;
}

TEST(AliasDefinitions, LocalSourcesNeedAContext) {
  AliasBlock b;
  b.spec.src = {"a.yaml"};
  Diagnostics d;
  EXPECT_FALSE(loadAliasDefinitions(b, AliasSources{}, d));
  EXPECT_NE(d.str().find("it is a local file but the run has no source context"), std::string::npos);
}

TEST(AliasDefinitions, ValidatesKeysAndDirective) {
  AliasBlock b;
  b.spec.values = {{"ok1", "x"}, {"not-ok", "y"}};
  b.valuePositions = {{"not-ok", {"t.yaml", 5, 5}}};
  Diagnostics d;
  EXPECT_FALSE(loadAliasDefinitions(b, AliasSources{}, d));
  EXPECT_EQ(d.str(), "t.yaml:5:5: error: alias name 'not-ok' may only contain letters and digits\n");

  for (const char* bad : {"ab", "a", "7"}) {
    AliasBlock withDirective;
    withDirective.spec.directive = bad;
    Diagnostics dd;
    EXPECT_FALSE(loadAliasDefinitions(withDirective, AliasSources{}, dd)) << bad;
  }
  AliasBlock whale;
  whale.spec.directive = "\xF0\x9F\x90\xB3";
  Diagnostics dw;
  const auto defs = loadAliasDefinitions(whale, AliasSources{}, dw);
  ASSERT_TRUE(defs) << dw.str();
  EXPECT_EQ(defs->directive, U'\U0001F433');
}

}  // namespace
}  // namespace hangar::config
