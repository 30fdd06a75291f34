#include "runner/secret_masker.hpp"

#include <gtest/gtest.h>

namespace hangar::runner {
namespace {

SecretMasker maskerFor(std::initializer_list<std::string_view> secrets) {
  SecretMasker masker;
  for (const auto secret : secrets) masker.add(secret);
  return masker;
}

TEST(SecretMasker, MasksEveryOccurrence) {
  const auto masker = maskerFor({"hunter2"});
  EXPECT_EQ(masker.mask("login hunter2 and hunter2hunter2!"), "login *** and ***!");
  EXPECT_EQ(masker.mask("no secret here"), "no secret here");
  EXPECT_EQ(masker.mask(""), "");
}

TEST(SecretMasker, MasksBase64Forms) {
  const auto masker = maskerFor({"s3cr3t!"});
  // base64("s3cr3t!") = "czNjcjN0IQ==".
  EXPECT_EQ(masker.mask("auth: czNjcjN0IQ== end"), "auth: *** end");
  EXPECT_EQ(masker.mask("auth: czNjcjN0IQ end"), "auth: *** end");
}

TEST(SecretMasker, MasksUrlEncodedForms) {
  const auto masker = maskerFor({"p@ss word&"});
  EXPECT_EQ(masker.mask("https://u:p%40ss%20word%26@host/"), "https://u:***@host/");
  EXPECT_EQ(masker.mask("?password=p%40ss+word%26&x=1"), "?password=***&x=1");
  EXPECT_EQ(masker.mask("raw p@ss word& here"), "raw *** here");
}

TEST(SecretMasker, OverlappingSecretsBecomeOneMask) {
  const auto masker = maskerFor({"abcd", "cdef"});
  // Masking "abcd" first and then looking for "cdef" would leave "ef" readable.
  EXPECT_EQ(masker.mask("xxabcdefyy"), "xx***yy");
  EXPECT_EQ(masker.mask("cdefabcd"), "***");
}

TEST(SecretMasker, SecretInsideAnotherIsCovered) {
  const auto masker = maskerFor({"token", "my-token-value"});
  EXPECT_EQ(masker.mask("is my-token-value or token"), "is *** or ***");
}

TEST(SecretMasker, EmptySecretIsIgnored) {
  const auto masker = maskerFor({""});
  EXPECT_TRUE(masker.empty());
  EXPECT_EQ(masker.mask("anything"), "anything");
  EXPECT_TRUE(secretForms("").empty());
}

TEST(SecretMasker, FormsAreDistinct) {
  EXPECT_EQ(secretForms("abc"), (std::vector<std::string>{"abc", "YWJj"}));
  EXPECT_EQ(secretForms("a b"), (std::vector<std::string>{"a b", "YSBi", "a%20b", "a+b"}));
  EXPECT_EQ(secretForms("ab"), (std::vector<std::string>{"ab", "YWI=", "YWI"}));
}

TEST(SecretMasker, SettledLengthHoldsAPossibleSecretStart) {
  const auto masker = maskerFor({"secret"});
  EXPECT_EQ(masker.settledLength("hello sec"), 6u);
  EXPECT_EQ(masker.settledLength("hello s"), 6u);
  EXPECT_EQ(masker.settledLength("hello"), 5u) << "nothing to hold: 'o' cannot begin the secret";
  EXPECT_EQ(masker.settledLength("hello secret"), 12u) << "a whole match is settled";
  EXPECT_EQ(masker.settledLength(""), 0u);
}

TEST(SecretMasker, SettledLengthHoldsAMatchThatCouldGrow) {
  const auto masker = maskerFor({"abc", "cde"});
  // "abc" is complete but "c" may begin "cde": emitting "***" now and "de" later would split it.
  EXPECT_EQ(masker.settledLength("xxabc"), 2u);
}

}  // namespace
}  // namespace hangar::runner
