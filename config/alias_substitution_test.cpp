#include "config/alias_substitution.hpp"

#include <gtest/gtest.h>

namespace hangar::config {
namespace {

SourceText source(std::string text) {
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return {std::move(text), LineMap::identity("t.yaml", lines)};
}

std::string substitute(std::string text, const std::map<std::string, std::string>& aliases,
                       char32_t d = U'$') {
  return substituteAliases(source(std::move(text)), aliases, d).text;
}

const std::map<std::string, std::string> kAliases = {
    {"ID", "ca1"}, {"Date", "20240131"}, {"Registry", "reg.io"}, {"regex", "^[A-Z].*\\.$"}, {"a", "A"}};

TEST(AliasSubstitution, ReplacesKnownNamesAndKeepsTheTerminator) {
  EXPECT_EQ(substitute("image: $Registry/app:$ID\n", kAliases), "image: reg.io/app:ca1\n");
  EXPECT_EQ(substitute("[$ID]\n", kAliases), "[ca1]\n");
}

TEST(AliasSubstitution, ChainsDirectlyAdjacentAliases) {
  EXPECT_EQ(substitute("tag: $ID$Date\n", kAliases), "tag: ca120240131\n");
  EXPECT_EQ(substitute("$a$a$a-\n", kAliases), "AAA-\n");
}

TEST(AliasSubstitution, LeavesUnknownNamesAsWritten) {
  EXPECT_EQ(substitute("echo $HOME ${VAR} $1 $ \n", kAliases), "echo $HOME ${VAR} $1 $ \n");
  // An unknown name swallows its terminator, so a directive right after it is literal (as acb).
  EXPECT_EQ(substitute("$HOME$ID\n", kAliases), "$HOME$ID\n");
  EXPECT_EQ(substitute("$ID$HOME\n", kAliases), "ca1$HOME\n");
}

TEST(AliasSubstitution, DoubledDirectiveIsALiteral) {
  EXPECT_EQ(substitute("$$ID and $$$ID\n", kAliases), "$ID and $ca1\n");
  EXPECT_EQ(substitute("$ID$$\n", kAliases), "ca1$\n");
}

TEST(AliasSubstitution, ValuesAreNotRescanned) {
  EXPECT_EQ(substitute("match: $regex\n", kAliases), "match: ^[A-Z].*\\.$\n");
  EXPECT_EQ(substitute("x: $self\n", {{"self", "$self $ID"}, {"ID", "no"}}), "x: $self $ID\n");
}

TEST(AliasSubstitution, HandlesMultiByteDirectives) {
  EXPECT_EQ(substitute("\xF0\x9F\x90\xB3ID-\xF0\x9F\x90\xB3\xF0\x9F\x90\xB3 $ID\n", kAliases, U'\U0001F433'),
            "ca1-\xF0\x9F\x90\xB3 $ID\n");
}

TEST(AliasSubstitution, FlushesANameAtTheEndOfTheText) {
  EXPECT_EQ(substitute("x $ID", kAliases), "x ca1");
  EXPECT_EQ(substitute("x $Nope", kAliases), "x $Nope");
}

TEST(AliasSubstitution, MapsInsertedLinesToTheLineOfTheAlias) {
  SourceText in{"a: 1\nsteps:\n  - $Step\n  - cmd: x\n", LineMap{"t.yaml", {3, 4, 7, 9}}};
  const SourceText out = substituteAliases(in, {{"Step", "id: s\n    cmd: y\n"}}, U'$');
  EXPECT_EQ(out.text, "a: 1\nsteps:\n  - id: s\n    cmd: y\n\n  - cmd: x\n");
  EXPECT_EQ(out.lines.originalLine, (std::vector<int>{3, 4, 7, 7, 7, 9}));
}

TEST(AliasSubstitution, ExpandsTheImageOfACommand) {
  const std::map<std::string, std::string> images = {{"bash", "mcr.microsoft.com/acr/bash:2ff604c"},
                                                     {"acb", "x/acb"}};
  EXPECT_EQ(expandImageAlias("bash echo hi", images), "mcr.microsoft.com/acr/bash:2ff604c echo hi");
  EXPECT_EQ(expandImageAlias("  acb  build -f x  ", images), "x/acb  build -f x");
  EXPECT_EQ(expandImageAlias("bash", images), "mcr.microsoft.com/acr/bash:2ff604c");
  EXPECT_EQ(expandImageAlias("bash\techo", images), "mcr.microsoft.com/acr/bash:2ff604c\techo");
  EXPECT_FALSE(expandImageAlias("bashful run", images).has_value());
  EXPECT_FALSE(expandImageAlias("", images).has_value());
}

}  // namespace
}  // namespace hangar::config
