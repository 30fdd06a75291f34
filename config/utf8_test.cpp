#include "config/utf8.hpp"

#include <gtest/gtest.h>

namespace hangar::config {
namespace {

TEST(Utf8, DecodesAsciiMultiByteAndInvalidBytes) {
  const std::string text = "a\xC3\xA9\xF0\x9F\x90\xB3\xFF";
  EXPECT_EQ(decodeUtf8(text, 0).codePoint, U'a');
  Utf8Char e = decodeUtf8(text, 1);
  EXPECT_EQ(e.codePoint, U'\u00E9');
  EXPECT_EQ(e.length, 2u);
  Utf8Char whale = decodeUtf8(text, 3);
  EXPECT_EQ(whale.codePoint, U'\U0001F433');
  EXPECT_EQ(whale.length, 4u);
  Utf8Char bad = decodeUtf8(text, 7);
  EXPECT_FALSE(bad.valid);
  EXPECT_EQ(bad.codePoint, 0xFFFDu);
  EXPECT_EQ(bad.length, 1u);
  EXPECT_EQ(utf8Length(text), 4u);
}

TEST(Utf8, RejectsTruncatedAndOverlongSequences) {
  EXPECT_FALSE(decodeUtf8("\xF0\x9F", 0).valid);
  EXPECT_FALSE(decodeUtf8("\xC0\x80", 0).valid);
}

TEST(Utf8, EncodesRoundTrip) {
  std::string out;
  for (char32_t cp : {U'a', U'\u00E9', U'\u20AC', U'\U0001F433'}) appendUtf8(out, cp);
  EXPECT_EQ(out, "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x90\xB3");
}

}  // namespace
}  // namespace hangar::config
