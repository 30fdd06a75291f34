#include "registry/auth_challenge.hpp"

#include <gtest/gtest.h>

namespace hangar::registry {
namespace {

TEST(AuthChallenge, BearerWithQuotedScopesContainingCommasAndSpaces) {
  const auto challenges = parseWwwAuthenticate(
      R"(Bearer realm="https://r.example/oauth2/token",service="r.example",scope="repository:a/b:pull,push repository:c:pull",error="insufficient_scope")");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "bearer");
  EXPECT_EQ(challenges[0].param("realm"), "https://r.example/oauth2/token");
  EXPECT_EQ(challenges[0].param("service"), "r.example");
  EXPECT_EQ(challenges[0].param("scope"), "repository:a/b:pull,push repository:c:pull");
  EXPECT_EQ(challenges[0].param("error"), "insufficient_scope");
}

TEST(AuthChallenge, MultipleChallengesUnquotedValuesAndEscapes) {
  const auto challenges = parseWwwAuthenticate(
      R"(Basic realm="Registry \"main\"", charset=UTF-8 , Bearer realm=https://t/token, service=x)");
  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0].scheme, "basic");
  EXPECT_EQ(challenges[0].param("realm"), "Registry \"main\"");
  EXPECT_EQ(challenges[0].param("charset"), "UTF-8");
  EXPECT_EQ(challenges[1].scheme, "bearer");
  EXPECT_EQ(challenges[1].param("realm"), "https://t/token");
  EXPECT_EQ(challenges[1].param("service"), "x");
}

TEST(AuthChallenge, CaseInsensitiveNamesAndBareScheme) {
  const auto challenges = parseWwwAuthenticate("BASIC REALM=\"x\"");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "basic");
  EXPECT_EQ(challenges[0].param("realm"), "x");
  const auto bare = parseWwwAuthenticate("Negotiate");
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_EQ(bare[0].scheme, "negotiate");
  EXPECT_TRUE(bare[0].params.empty());
  EXPECT_TRUE(parseWwwAuthenticate("").empty());
  EXPECT_TRUE(parseWwwAuthenticate("  ,, ").empty());
}

}  // namespace
}  // namespace hangar::registry
