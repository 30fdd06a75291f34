#include "runner/shell_words.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace hangar::runner {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Words = std::vector<std::string>;

TEST(SplitShellWords, WhitespaceSeparates) {
  EXPECT_THAT(splitShellWords("  a  b\tc\n d  "), ElementsAre("a", "b", "c", "d"));
  EXPECT_THAT(splitShellWords(""), ElementsAre());
  EXPECT_THAT(splitShellWords(" \t\n "), ElementsAre());
}

TEST(SplitShellWords, SingleQuotedCommandKeepsExpansionsLiterally) {
  EXPECT_THAT(splitShellWords("bash -c 'echo $(date) >> hello.txt'"),
              ElementsAre("bash", "-c", "echo $(date) >> hello.txt"));
}

TEST(SplitShellWords, NothingIsExpandedOrGlobbed) {
  EXPECT_THAT(splitShellWords("acr purge --filter samples/hello-world:.* --ago 7d"),
              ElementsAre("acr", "purge", "--filter", "samples/hello-world:.*", "--ago", "7d"));
  EXPECT_THAT(splitShellWords("echo $HOME ${X:-y} $(id -u) `pwd` ~ * ?.txt [ab]"),
              ElementsAre("echo", "$HOME", "${X:-y}", "$(id", "-u)", "`pwd`", "~", "*", "?.txt", "[ab]"));
  EXPECT_THAT(splitShellWords("a;b a|b a>b && c"), ElementsAre("a;b", "a|b", "a>b", "&&", "c"));
  EXPECT_THAT(splitShellWords("\"$HOME\" \"$(date)\""), ElementsAre("$HOME", "$(date)"));
}

TEST(SplitShellWords, EmptyQuotesAreWords) {
  EXPECT_THAT(splitShellWords("''"), ElementsAre(""));
  EXPECT_THAT(splitShellWords("a '' b \"\" c"), ElementsAre("a", "", "b", "", "c"));
  EXPECT_THAT(splitShellWords("a''b"), ElementsAre("ab"));
}

TEST(SplitShellWords, MixedQuotingJoinsIntoOneWord) {
  EXPECT_THAT(splitShellWords("a\"b c\"'d'"), ElementsAre("ab cd"));
  EXPECT_THAT(splitShellWords("--build-arg=\"X=1 2\" x"), ElementsAre("--build-arg=X=1 2", "x"));
}

TEST(SplitShellWords, SingleQuotesAreLiteral) {
  EXPECT_THAT(splitShellWords(R"('a\b' 'c"d' 'e\')"), ElementsAre(R"(a\b)", R"(c"d)", R"(e\)"));
  EXPECT_THAT(splitShellWords("'line1\nline2'"), ElementsAre("line1\nline2"));
}

TEST(SplitShellWords, DoubleQuoteEscapes) {
  EXPECT_THAT(splitShellWords(R"("\"" "\\" "\$" "\`")"), ElementsAre("\"", "\\", "$", "`"));
  // Any other backslash stays.
  EXPECT_THAT(splitShellWords(R"("a\nb" "\'")"), ElementsAre(R"(a\nb)", R"(\')"));
  EXPECT_THAT(splitShellWords("\"a\\\nb\""), ElementsAre("ab"));
  EXPECT_THAT(splitShellWords("\"a'b\""), ElementsAre("a'b"));
  EXPECT_THAT(splitShellWords("\"a\nb\""), ElementsAre("a\nb"));
}

TEST(SplitShellWords, BackslashOutsideQuotes) {
  EXPECT_THAT(splitShellWords(R"(a\ b \' \" \\ \$x \a)"), ElementsAre("a b", "'", "\"", "\\", "$x", "a"));
  EXPECT_THAT(splitShellWords("a\\\nb c \\\n d"), ElementsAre("ab", "c", "d"));
  EXPECT_THAT(splitShellWords("a\\"), ElementsAre("a\\"));
  EXPECT_THAT(splitShellWords("\\"), ElementsAre("\\"));
  EXPECT_THAT(splitShellWords("\\#a"), ElementsAre("#a"));
}

TEST(SplitShellWords, CommentsStartOnlyAtAWord) {
  EXPECT_THAT(splitShellWords("a # b c"), ElementsAre("a"));
  EXPECT_THAT(splitShellWords("a#b '#c' \"#d\""), ElementsAre("a#b", "#c", "#d"));
  EXPECT_THAT(splitShellWords("a # one\nb # two"), ElementsAre("a", "b"));
  EXPECT_THAT(splitShellWords("# all"), ElementsAre());
}

TEST(SplitShellWords, UnterminatedQuotesNameTheColumn) {
  try {
    splitShellWords("echo 'abc");
    FAIL() << "no exception";
  } catch (const ShellWordsError& e) {
    EXPECT_STREQ(e.what(), "unterminated single quote starting at column 6");
    EXPECT_EQ(e.offset(), 5u);
    EXPECT_EQ(e.column(), 6);
    EXPECT_EQ(e.line(), 1);
  }
  try {
    splitShellWords("a\nbb \"x\\\"");
    FAIL() << "no exception";
  } catch (const ShellWordsError& e) {
    EXPECT_STREQ(e.what(), "unterminated double quote starting at line 2, column 4");
    EXPECT_EQ(e.offset(), 5u);
  }
  EXPECT_THROW(splitShellWords("\""), std::invalid_argument);
  EXPECT_THROW(splitShellWords("'a' 'b"), std::invalid_argument);
  EXPECT_THROW(splitShellWords("\"a\\\""), std::invalid_argument);
}

TEST(QuoteShellWord, SafeWordsStayBare) {
  EXPECT_EQ(quoteShellWord("abc"), "abc");
  EXPECT_EQ(quoteShellWord("--tag=a/b:1.0,x@y%z+"), "--tag=a/b:1.0,x@y%z+");
}

TEST(QuoteShellWord, OthersAreSingleQuoted) {
  EXPECT_EQ(quoteShellWord(""), "''");
  EXPECT_EQ(quoteShellWord("a b"), "'a b'");
  EXPECT_EQ(quoteShellWord("it's"), "'it'\\''s'");
  EXPECT_EQ(quoteShellWord("$HOME"), "'$HOME'");
  EXPECT_EQ(quoteShellWord("#x"), "'#x'");
}

TEST(QuoteShellWord, RoundTrips) {
  const Words words = {"",     "a b", "it's", "\"q\"", "back\\slash", "new\nline", "#c",
                       "$(x)", "*",   "'",    "\\",    "\t",          "~",         "a'b\"c\\d e"};
  EXPECT_EQ(splitShellWords(joinShellWords(words)), words);
  for (const auto& word : words) EXPECT_THAT(splitShellWords(quoteShellWord(word)), ElementsAre(word));
}

// The words /bin/sh itself makes of `line` (printf prints each argument followed by \001), or nullopt when
// sh rejects it.
std::optional<Words> wordsFromRealShell(const std::string& line) {
  // eval parses the line at run time, so its syntax errors go to the redirected stderr.
  setenv("HANGAR_SHELL_WORDS_LINE", line.c_str(), 1);
  FILE* pipe = popen("eval \"printf '%s\\001' X $HANGAR_SHELL_WORDS_LINE\" 2>/dev/null", "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed");
  std::string output;
  char buffer[4096];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  if (pclose(pipe) != 0) return std::nullopt;
  Words words;
  std::size_t start = 0;
  for (std::size_t end; (end = output.find('\001', start)) != std::string::npos; start = end + 1)
    words.push_back(output.substr(start, end - start));
  if (words.empty() || words.front() != "X") throw std::runtime_error("unexpected sh output for: " + line);
  words.erase(words.begin());
  return words;
}

// Random lines over quoting characters, checked against /bin/sh (no $, globs or newlines, which sh expands
// or treats as command separators). A fixed seed keeps the cases the same on every run.
TEST(SplitShellWords, AgreesWithRealShell) {
  const std::vector<std::string> pieces = {"a", "b", " ", "\t", "'", "\"", "\\", "#", "x y", ".", "-"};
  std::mt19937 random(20240611);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1), length(0, 12);
  int rejected = 0;
  for (int i = 0; i < 300; ++i) {
    std::string line;
    for (std::size_t n = length(random); n > 0; --n) line += pieces[pick(random)];
    const auto expected = wordsFromRealShell(line);
    if (!expected) {
      ++rejected;
      EXPECT_THROW(splitShellWords(line), ShellWordsError) << "[" << line << "]";
    } else {
      EXPECT_EQ(splitShellWords(line), *expected) << "[" << line << "]";
    }
  }
  EXPECT_GT(rejected, 10);  // both branches were exercised
  EXPECT_LT(rejected, 290);
}

}  // namespace
}  // namespace hangar::runner
