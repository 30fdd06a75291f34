#include "config/go_template_functions.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace hangar::config {
namespace {

using nlohmann::json;

std::string render(std::string_view text, const json& data = json::object()) {
  return renderGoTemplate(text, data).text;
}

TEST(GoTemplateFunctions, StringFunctions) {
  EXPECT_EQ(render(R"({{ upper "abC" }} {{ lower "AbC" }} {{ title "hello wide-world" }})"),
            "ABC abc Hello Wide-World");
  EXPECT_EQ(
      render(
          R"({{ trim "  x \n" }}|{{ trimAll "-" "--x--" }}|{{ trimPrefix "v" "v1.0" }}|{{ trimSuffix ".git" "r.git" }})"),
      "x|x|1.0|r");
  EXPECT_EQ(
      render(R"({{ contains "ell" "hello" }} {{ hasPrefix "he" "hello" }} {{ hasSuffix "lo" "hello" }})"),
      "true true true");
  EXPECT_EQ(render(R"({{ replace " " "-" "a b c" }} {{ repeat 3 "ab" }} {{ nospace " a b " }})"),
            "a-b-c ababab ab");
  EXPECT_EQ(render(R"({{ substr 1 3 "hello" }} {{ trunc 2 "hello" }} {{ trunc -2 "hello" }})"), "el he lo");
  EXPECT_EQ(render(R"({{ quote "a" 1 nil }} {{ squote "b" }} {{ cat "a" 1 nil "b" }})"),
            R"("a" "1" 'b' a 1 b)");
  EXPECT_EQ(render(R"({{ indent 2 "a\nb" }}|{{ nindent 2 "c" }})"), "  a\n  b|\n  c");
  EXPECT_EQ(render(R"({{ toString 5 }} {{ 5 | toString | printf "%q" }})"), R"(5 "5")");
}

// Found by fuzzing: an empty string skipped repeat's size bound, so `repeat 10000000000 ""` ran for hours.
TEST(GoTemplateFunctions, RepeatOfAnEmptyStringIsEmptyAtOnce) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(render(R"(<{{ repeat 10000000000 "" }}>)"), "<>");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(GoTemplateFunctions, Base64AndHashes) {
  EXPECT_EQ(render(R"({{ "-----SECRET VALUE 1------" | b64enc }})"), "LS0tLS1TRUNSRVQgVkFMVUUgMS0tLS0tLQ==");
  EXPECT_EQ(render(R"({{ .missing | b64enc }})"), "");
  EXPECT_EQ(render(R"({{ "aGVsbG8=" | b64dec }} {{ "YQ==" | b64dec }} {{ "YWI=" | b64dec }})"), "hello a ab");
  EXPECT_EQ(render(R"({{ "a*" | b64dec }})"), "illegal base64 data at input byte 1");
  EXPECT_EQ(render(R"({{ "abc" | sha256sum }})"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(render(R"({{ "abc" | sha1sum }})"), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(GoTemplateFunctions, JsonFunctions) {
  const json data = {{"v", {{"b", {1, 2}}, {"a", "<x>"}}}};
  EXPECT_EQ(render("{{ toJson .v }}", data), R"({"a":"\u003cx\u003e","b":[1,2]})");
  EXPECT_EQ(render("{{ toRawJson .v }}", data), R"({"a":"<x>","b":[1,2]})");
  EXPECT_EQ(render("{{ toPrettyJson (list 1) }}"), "[\n  1\n]");
  EXPECT_EQ(render("{{ toJson .missing }}"), "null");
}

TEST(GoTemplateFunctions, SplitAndJoin) {
  EXPECT_EQ(render(R"({{ $p := split "." "a.b.c" }}{{ $p._0 }}{{ $p._2 }})"), "ac");
  EXPECT_EQ(render(R"({{ splitList "," "a,b" | join "+" }})"), "a+b");
  EXPECT_EQ(render(R"({{ join "," (list "x" 1 nil true) }})"), "x,1,true");
  EXPECT_EQ(render(R"({{ list "b" "a" | sortAlpha }})"), "[a b]");
}

TEST(GoTemplateFunctions, DefaultsAndLogic) {
  EXPECT_EQ(render(R"({{ default "d" "" }} {{ default "d" 0 }} {{ default "d" "v" }} {{ default "d" }})"),
            "d d v d");
  EXPECT_EQ(render(R"({{ empty "" }} {{ empty (list) }} {{ empty 1 }})"), "true true false");
  EXPECT_EQ(
      render(R"({{ coalesce "" nil "x" "y" }} {{ ternary "yes" "no" true }} {{ ternary "yes" "no" false }})"),
      "x yes no");
}

TEST(GoTemplateFunctions, ListsAndDicts) {
  EXPECT_EQ(
      render(
          R"({{ list 1 2 3 | first }}{{ list 1 2 3 | last }} {{ rest (list 1 2 3) }} {{ initial (list 1 2 3) }})"),
      "13 [2 3] [1 2]");
  EXPECT_EQ(
      render(
          R"({{ append (list 1) 2 }} {{ prepend (list 1) 0 }} {{ concat (list 1) (list 2 3) }} {{ reverse (list 1 2) }})"),
      "[1 2] [0 1] [1 2 3] [2 1]");
  EXPECT_EQ(
      render(R"({{ uniq (list 1 1 "1" 2) }} {{ compact (list 0 "" "a" nil) }} {{ without (list 1 2 3) 2 }})"),
      "[1 1 2] [a] [1 3]");
  EXPECT_EQ(render(R"({{ has 2 (list 1 2) }} {{ has "2" (list 1 2) }} {{ until 3 }})"), "true false [0 1 2]");
  EXPECT_EQ(
      render(
          R"({{ $d := dict "b" 2 "a" 1 "odd" }}{{ $d }} {{ get $d "a" }} {{ hasKey $d "b" }} {{ keys $d }})"),
      "map[a:1 b:2 odd:] 1 true [a b odd]");
  EXPECT_EQ(
      render(R"({{ index (dict "k" (list "x" "y")) "k" 1 }} {{ index "ab" 1 }} {{ slice (list 1 2 3) 1 }})"),
      "y 98 [2 3]");
}

TEST(GoTemplateFunctions, Math) {
  EXPECT_EQ(
      render(R"({{ add 1 2 "3" }} {{ add1 4 }} {{ sub 5 7 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }})"),
      "6 5 -2 24 3 1");
  EXPECT_EQ(
      render(
          R"({{ max 1 5 3 }} {{ min 4 2 9 }} {{ int "12" }} {{ int 3.9 }} {{ atoi "x" }} {{ float64 "1.5" }})"),
      "5 2 12 3 0 1.5");
  EXPECT_THROW(render("{{ div 1 0 }}"), TemplateError);
}

TEST(GoTemplateFunctions, TypesAndPaths) {
  EXPECT_EQ(
      render(
          R"({{ kindOf 1 }} {{ kindOf "s" }} {{ kindOf (list) }} {{ kindOf (dict) }} {{ typeOf 1.5 }} {{ kindIs "int" 2 }})"),
      "int string slice map float64 true");
  EXPECT_EQ(
      render(
          R"({{ base "/a/b.txt" }} {{ dir "/a/b.txt" }} {{ ext "x/y.tar.gz" }} {{ clean "a//b/../c/." }})"),
      "b.txt /a .gz a/c");
}

TEST(GoTemplateFunctions, Dates) {
  TemplateOptions options;
  options.clock = [] { return std::chrono::system_clock::time_point(std::chrono::seconds(86400 * 365)); };
  const auto r = [&](std::string_view t) { return renderGoTemplate(t, json::object(), options).text; };
  EXPECT_EQ(
      r(R"({{ now | date "2006-01-02" }} {{ date "15:04" 3600 }} {{ htmlDate now }} {{ date "2006" "x" }})"),
      "1971-01-01 01:00 1971-01-01 1971");
}

TEST(GoTemplateFunctions, Uuid) {
  const std::string a = render("{{ uuidv4 }}");
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(a, render("{{ uuidv4 }}"));
}

TEST(GoTemplateFunctions, ArgumentErrorsAreReported) {
  try {
    render("{{ upper }}");
    FAIL() << "no error";
  } catch (const TemplateError& e) {
    EXPECT_STREQ(e.what(), "1:4: error calling upper: wrong number of args: want 1 got 0");
  }
  EXPECT_THROW(render("{{ upper (list 1) }}"), TemplateError);
  EXPECT_EQ(render("{{ upper 5 }}"), "5");
}

}  // namespace
}  // namespace hangar::config
