#include "registry/tag_filter.hpp"

#include <gtest/gtest.h>

namespace hangar::registry {
namespace {

std::string parseError(std::string_view text) {
  try {
    parseFilterExpression(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(TagFilter, SplitsOnTheColonOutsideGroupsAndClasses) {
  EXPECT_EQ(parseError("a:b:c"), "unable to correctly parse filter flag");
  EXPECT_EQ(parseError("nocolon"), "unable to correctly parse filter flag");
  EXPECT_EQ(parseError(":x"), "missing repository name/expression");
  EXPECT_EQ(parseError("x:"), "missing tag name/expression");
  EXPECT_EQ(parseFilterExpression("repo:(?i:abc)").tag, "(?i:abc)");
  EXPECT_EQ(parseFilterExpression("repo:[^:]*").tag, "[^:]*");
  EXPECT_EQ(parseFilterExpression("team/app:v\\:1").tag, "v\\:1");
}

TEST(TagFilter, RepositoryAnchoredTagUnanchored) {
  const TagFilter filter({"foo:.*", "app:hello"});
  EXPECT_TRUE(filter.matchesRepository("foo"));
  EXPECT_FALSE(filter.matchesRepository("foo/bar"));
  EXPECT_FALSE(filter.matchesRepository("xfoo"));
  EXPECT_TRUE(TagFilter({"foo/.*:.*"}).matchesRepository("foo/bar"));
  EXPECT_TRUE(filter.matchesTag("app", "hello-1"));
  EXPECT_TRUE(filter.matchesTag("app", "say-hello"));
  EXPECT_FALSE(filter.matchesTag("app", "bye"));
  EXPECT_FALSE(TagFilter({"app:^hello.*"}).matchesTag("app", "say-hello"));
}

TEST(TagFilter, LookaroundAndOrOfFilters) {
  const TagFilter negative({"app:^((?!release).)*$"});
  EXPECT_FALSE(negative.matchesTag("app", "v1-release"));
  EXPECT_TRUE(negative.matchesTag("app", "dev-1"));
  EXPECT_TRUE(TagFilter({"app:(?<!x)-1$"}).matchesTag("app", "dev-1"));
  EXPECT_FALSE(TagFilter({"app:(?<!x)-1$"}).matchesTag("app", "devx-1"));
  const TagFilter both({"app:^a", "app:^b"});
  EXPECT_TRUE(both.matchesTag("app", "a1"));
  EXPECT_TRUE(both.matchesTag("app", "b1"));
  EXPECT_FALSE(both.matchesTag("app", "c1"));
  EXPECT_TRUE(TagFilter({"app:(?i:ABC)"}).matchesTag("app", "x-abc"));
}

TEST(TagFilter, BadExpressionsAndRunawayMatchesAreErrors) {
  EXPECT_THROW(TagFilter({"app:(unclosed"}), std::invalid_argument);
  const TagFilter runaway({"app:^(a+)+$"});
  EXPECT_THROW(runaway.matchesTag("app", std::string(40, 'a') + "!"), std::runtime_error);
}

}  // namespace
}  // namespace hangar::registry
