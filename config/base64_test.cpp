#include "config/base64.hpp"

#include <gtest/gtest.h>

namespace hangar::config {
namespace {

TEST(Base64, DecodesPaddedText) {
  EXPECT_EQ(decodeBase64(""), "");
  EXPECT_EQ(decodeBase64("aGk="), "hi");
  EXPECT_EQ(decodeBase64("aGVsbG8="), "hello");
  EXPECT_EQ(decodeBase64("YQ=="), "a");
  EXPECT_EQ(decodeBase64("YWJj"), "abc");
  EXPECT_EQ(decodeBase64("YWJj\nZGVm\r\n"), "abcdef");
  EXPECT_EQ(decodeBase64("AP8="), std::string("\0\xff", 2));
}

TEST(Base64, RejectsInvalidText) {
  EXPECT_FALSE(decodeBase64("aGk"));       // missing padding
  EXPECT_FALSE(decodeBase64("a=Gk"));      // padding inside
  EXPECT_FALSE(decodeBase64("YQ==YQ=="));  // padding before the end
  EXPECT_FALSE(decodeBase64("Y==="));      // too much padding
  EXPECT_FALSE(decodeBase64("s3cr3t!v"));  // '!' is not in the alphabet
  EXPECT_FALSE(decodeBase64(" aGk="));     // blanks are not ignored
  EXPECT_FALSE(decodeBase64("aG-_"));      // URL alphabet is not the standard one
}

TEST(Base64, EncodesPaddedText) {
  EXPECT_EQ(encodeBase64(""), "");
  EXPECT_EQ(encodeBase64("a"), "YQ==");
  EXPECT_EQ(encodeBase64("hi"), "aGk=");
  EXPECT_EQ(encodeBase64("abc"), "YWJj");
  EXPECT_EQ(encodeBase64(std::string("\0\xff", 2)), "AP8=");
}

TEST(Base64, UrlAlphabetWithoutPaddingRoundTrips) {
  const std::string bytes("\xfb\xff\xbf\x00\x01", 5);  // standard: "+/+/AAE="
  EXPECT_EQ(encodeBase64(bytes), "+/+/AAE=");
  EXPECT_EQ(encodeBase64Url(bytes), "-_-_AAE");
  EXPECT_EQ(decodeBase64Url("-_-_AAE"), bytes);
  EXPECT_EQ(decodeBase64Url("-_-_AAE="), bytes);
  EXPECT_EQ(decodeBase64Url(encodeBase64Url("{\"alg\":\"RS256\"}")), "{\"alg\":\"RS256\"}");
  EXPECT_FALSE(decodeBase64Url("+/+/AAE"));  // standard alphabet
  EXPECT_FALSE(decodeBase64Url("abcde"));    // no whole byte in the last quantum
  EXPECT_FALSE(decodeBase64Url("ab.c"));
}

}  // namespace
}  // namespace hangar::config
