#include "runner/output_matcher.hpp"

#include <gtest/gtest.h>

namespace hangar::runner {
namespace {

TEST(OutputMatcher, FindsAPatternInOneChunk) {
  OutputMatcher matcher({"connection reset", "TLS handshake timeout"});
  matcher.feed("pulling...\n");
  EXPECT_FALSE(matcher.matched());
  matcher.feed("error: TLS handshake timeout\n");
  EXPECT_TRUE(matcher.matched());
}

TEST(OutputMatcher, FindsAPatternSplitAcrossChunks) {
  OutputMatcher matcher({"connection reset"});
  for (const char c : std::string("read: connection reset by peer")) matcher.feed(std::string(1, c));
  EXPECT_TRUE(matcher.matched());
}

TEST(OutputMatcher, ResetForgetsTheMatchAndTheTail) {
  OutputMatcher matcher({"abc"});
  matcher.feed("xxab");
  matcher.reset();
  matcher.feed("c");
  EXPECT_FALSE(matcher.matched());
  matcher.feed("abc");
  EXPECT_TRUE(matcher.matched());
  matcher.reset();
  EXPECT_FALSE(matcher.matched());
}

TEST(OutputMatcher, NoPatternsNeverMatch) {
  OutputMatcher matcher({});
  matcher.feed("anything");
  EXPECT_FALSE(matcher.matched());
}

}  // namespace
}  // namespace hangar::runner
