#include "config/go_template.hpp"

#include <gtest/gtest.h>

namespace hangar::config {
namespace {

using nlohmann::json;

std::string render(std::string_view text, const json& data = json::object()) {
  return renderGoTemplate(text, data).text;
}

/// The error a template raises, as "LINE:COL: MESSAGE".
std::string renderError(std::string_view text, const json& data = json::object()) {
  try {
    render(text, data);
  } catch (const TemplateError& e) {
    return e.what();
  }
  return "no error";
}

json sampleData() {
  TemplateData data;
  data.run.id = "ca1";
  data.run.registry = "myreg.azurecr.io";
  data.run.date = "20240131-235959z";
  data.run.commit = "ABC123";
  data.values = json::parse(R"({"name":"web","port":8080,"ratio":1.5,"on":true,"tags":["a","b"],
                                "nested":{"k":"v","deep":{"x":1}},"empty":""})");
  data.secrets["token"] = "s3cr3t";
  return templateRoot(data);
}

TEST(GoTemplate, CopiesPlainText) {
  EXPECT_EQ(render("steps:\n  - cmd: echo hi\n"), "steps:\n  - cmd: echo hi\n");
}

TEST(GoTemplate, ReadsRunValuesSecretsAndTheLegacyBuildId) {
  const json data = sampleData();
  EXPECT_EQ(render("{{.Run.ID}} {{.Build.ID}} {{.Run.Registry}} {{.Run.RegistryName}} {{.Run.Date}}", data),
            "ca1 ca1 myreg.azurecr.io myreg 20240131-235959z");
  EXPECT_EQ(render("{{.Values.name}}:{{.Values.port}} {{.Values.ratio}} {{.Values.on}}", data),
            "web:8080 1.5 true");
  EXPECT_EQ(render("{{.Values.nested.deep.x}} {{.Secrets.token}}", data), "1 s3cr3t");
  EXPECT_EQ(render("{{.Run.ID | upper}} {{.Run.Commit | lower}}", data), "CA1 abc123");
}

TEST(GoTemplate, MissingKeysRenderEmptyButLiteralNoValueStays) {
  const json data = sampleData();
  EXPECT_EQ(render("[{{.Run.Tag}}][{{.Values.missing}}][{{.Values.missing.deeper}}][{{.Nope.x.y}}]", data),
            "[][][][]");
  EXPECT_EQ(render("a <no value> b"), "a <no value> b");
}

TEST(GoTemplate, PrintsMapsAndListsInGoSyntax) {
  const json data = sampleData();
  EXPECT_EQ(render("{{.Values.tags}} {{.Values.nested}}", data), "[a b] map[deep:map[x:1] k:v]");
}

TEST(GoTemplate, ExposesShellQuotedJson) {
  TemplateData data;
  data.run.id = "r1";
  data.values = json::parse(R"({"msg":"it's here","n":5})");
  const json root = templateRoot(data);
  EXPECT_EQ(render("{{.ValuesJSON}}", root), R"('{"msg":"it'"'"'s here","n":5}')");
  EXPECT_EQ(
      root["RunJSON"].get<std::string>(),
      R"('{"Architecture":"amd64","Branch":"","Commit":"","Date":"","GitTag":"","ID":"r1","OS":"linux",)"
      R"("OSVersion":"","Registry":"","RegistryName":"","Repository":"","SharedVolume":"","TaskName":"",)"
      R"("TriggeredBy":""}')");
}

TEST(GoTemplate, TrimMarkersRemoveAdjacentWhitespace) {
  EXPECT_EQ(render("a  \n {{- 1 -}} \n  b"), "a1b");
  EXPECT_EQ(render("a {{- 1}} b"), "a1 b");
  EXPECT_EQ(render("{{-3}}"), "-3");
  EXPECT_EQ(render("x\n{{- /* a comment */ -}}\ny"), "xy");
  EXPECT_EQ(render("x{{/* multi\nline */}}y"), "xy");
}

TEST(GoTemplate, LiteralsAndEscapes) {
  EXPECT_EQ(render("{{`{{`}}x{{`}}`}}"), "{{x}}");
  EXPECT_EQ(render(R"({{"a\tb\u00e9"}})"), "a\tb\xC3\xA9");
  EXPECT_EQ(render("{{ 0x1F }} {{ 1_000 }} {{ 'a' }} {{ 1.50 }} {{ 1e6 }} {{ -2 }} {{ true }}"),
            "31 1000 97 1.5 1e+06 -2 true");
  EXPECT_EQ(render("{{ default \"d\" nil }}"), "d");
  EXPECT_EQ(renderError("{{ nil | default \"d\" }}"), "1:4: nil is not a command");
}

TEST(GoTemplate, VariablesAndScopes) {
  EXPECT_EQ(render("{{$x := 1}}{{$x}}{{$x = 2}}{{$x}}"), "12");
  EXPECT_EQ(render("{{$x := \"out\"}}{{if true}}{{$x := \"in\"}}{{$x}}{{end}}{{$x}}"), "inout");
  EXPECT_EQ(render("{{$x := \"a\"}}{{if true}}{{$x = \"b\"}}{{end}}{{$x}}"), "b");
  EXPECT_EQ(render("{{with $v := .a}}{{$v}}{{.}}{{end}}", json{{"a", "z"}}), "zz");
  EXPECT_EQ(render("{{$.a}}{{range .l}}{{$.a}}{{end}}", json{{"a", "z"}, {"l", {1, 2}}}), "zzz");
}

TEST(GoTemplate, Pipelines) {
  const json data = sampleData();
  EXPECT_EQ(render("{{ .Values.missing | default \"none\" }}", data), "none");
  EXPECT_EQ(render("{{ .Values.name | default \"none\" | upper | printf \"<%s>\" }}", data), "<WEB>");
  EXPECT_EQ(render("{{ printf \"%s-%d\" .Values.name .Values.port }}", data), "web-8080");
  EXPECT_EQ(render("{{ (index .Values.tags 1) }}{{ (dict \"a\" 1).a }}{{ len (list 1 2 3) }}", data), "b13");
  EXPECT_EQ(render("{{ $m := .Values.nested }}{{ $m.deep.x }}", data), "1");
}

TEST(GoTemplate, Conditionals) {
  const std::string t = "{{if eq .v 1}}one{{else if eq .v 2}}two{{else}}many{{end}}";
  EXPECT_EQ(render(t, json{{"v", 1}}), "one");
  EXPECT_EQ(render(t, json{{"v", 2}}), "two");
  EXPECT_EQ(render(t, json{{"v", 3}}), "many");
  EXPECT_EQ(render("{{if .missing}}yes{{else}}no{{end}}"), "no");
  EXPECT_EQ(render("{{with .a}}[{{.}}]{{else}}none{{end}}", json{{"a", ""}}), "none");
  EXPECT_EQ(render("{{with .a}}{{.b}}{{end}}", json{{"a", {{"b", "B"}}}}), "B");
  EXPECT_EQ(render("{{if and .a (not .b)}}x{{end}}{{if or .b .a}}y{{end}}", json{{"a", true}, {"b", false}}),
            "xy");
}

TEST(GoTemplate, AndOrShortCircuit) {
  EXPECT_EQ(render("{{ and false (fail \"boom\") }}"), "false");
  EXPECT_EQ(render("{{ or \"first\" (fail \"boom\") }}"), "first");
  EXPECT_EQ(render("{{ and 1 \"last\" }}"), "last");
}

TEST(GoTemplate, RangeOverListsMapsAndInts) {
  EXPECT_EQ(render("{{range .l}}<{{.}}>{{end}}", json{{"l", {"a", "b"}}}), "<a><b>");
  EXPECT_EQ(render("{{range $i, $v := .l}}{{$i}}={{$v}};{{end}}", json{{"l", {"a", "b"}}}), "0=a;1=b;");
  EXPECT_EQ(render("{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}", json{{"m", {{"z", 1}, {"a", 2}}}}),
            "a=2;z=1;");
  EXPECT_EQ(render("{{range $v := .m}}{{$v}}{{end}}", json{{"m", {{"z", 1}, {"a", 2}}}}), "21");
  EXPECT_EQ(render("{{range .none}}x{{else}}empty{{end}}"), "empty");
  EXPECT_EQ(render("{{range .l}}x{{else}}empty{{end}}", json{{"l", json::array()}}), "empty");
  EXPECT_EQ(render("{{range 3}}{{.}}{{end}}"), "012");
  EXPECT_EQ(render("{{range .l}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}",
                   json{{"l", {1, 2, 3, 4, 5}}}),
            "13");
}

TEST(GoTemplate, GeneratesYamlStructure) {
  const json data = json{{"Values", {{"images", {"a", "b"}}}}};
  EXPECT_EQ(render("steps:\n{{- range .Values.images}}\n  - push: [\"{{.}}\"]\n{{- end}}\n", data),
            "steps:\n  - push: [\"a\"]\n  - push: [\"b\"]\n");
}

TEST(GoTemplate, ActionsMaySpanLines) { EXPECT_EQ(render("{{ printf\n  \"%s\"\n  \"x\" }}"), "x"); }

TEST(GoTemplate, MapsOutputLinesToTemplateLines) {
  const RenderedTemplate r = renderGoTemplate("a\n{{ .x }}\nb\n{{/* gone */}}\nc", json{{"x", "1\n2"}});
  EXPECT_EQ(r.text, "a\n1\n2\nb\n\nc");
  EXPECT_EQ(r.lineOrigins, (std::vector<int>{1, 2, 2, 3, 4, 5}));
  const RenderedTemplate loop =
      renderGoTemplate("s:\n{{range .l}}\n- {{.}}\n{{end}}\nend\n", json{{"l", {1, 2}}});
  EXPECT_EQ(loop.text, "s:\n\n- 1\n\n- 2\n\nend\n");
  // The empty lines are the newlines of template lines 2 (each iteration) and 4.
  EXPECT_EQ(loop.lineOrigins, (std::vector<int>{1, 2, 3, 2, 3, 4, 5}));
}

TEST(GoTemplate, SyntaxErrorsCarryLineAndColumn) {
  EXPECT_EQ(renderError("a\n  {{ nosuch .x }}"), "2:6: function \"nosuch\" not defined");
  EXPECT_EQ(renderError("x {{ .a "), "1:3: unclosed action");
  EXPECT_EQ(renderError("{{ end }}"), "1:1: unexpected {{end}}");
  EXPECT_EQ(renderError("\n{{if .a}}x"), "2:1: unexpected EOF: {{if}} has no {{end}}");
  EXPECT_EQ(renderError("{{ $y }}"), "1:4: undefined variable \"$y\"");
  EXPECT_EQ(renderError("{{ \"abc }}"), "1:4: unterminated quoted string");
  EXPECT_EQ(renderError("{{ 3x }}"), "1:4: bad number syntax: \"3x\"");
  EXPECT_EQ(renderError("{{ # }}"), "1:4: unrecognized character in action: U+0023 '#'");
  EXPECT_EQ(renderError("{{ }}"), "1:4: missing value for command");
  EXPECT_EQ(renderError("{{break}}"), "1:1: {{break}} outside {{range}}");
  EXPECT_EQ(renderError("{{ template \"x\" }}"), "1:4: {{template}} is not supported in task files");
  EXPECT_EQ(renderError("{{/* open"), "1:1: unclosed comment");
  EXPECT_EQ(renderError("\xC3\xA9\xC3\xA9{{ bad }}"), "1:6: function \"bad\" not defined");
}

TEST(GoTemplate, NeverReadsTheHostEnvironment) {
  EXPECT_EQ(renderError("{{ env \"HOME\" }}"),
            "1:4: function \"env\" is not available: task templates cannot read the agent's environment");
  EXPECT_EQ(renderError("{{ expandenv \"$HOME\" }}").substr(0, 30), "1:4: function \"expandenv\" is n");
}

TEST(GoTemplate, ExecutionErrorsCarryPositions) {
  EXPECT_EQ(renderError("ok\n{{ .a.b }}", json{{"a", "str"}}), "2:4: can't evaluate field b in type string");
  EXPECT_EQ(renderError("{{ index .l 5 }}", json{{"l", {1}}}),
            "1:4: error calling index: index out of range: 5");
  EXPECT_EQ(renderError("{{ eq .n \"5\" }}", json{{"n", 5}}),
            "1:4: error calling eq: incompatible types for comparison: int and string");
  EXPECT_EQ(renderError("{{ .a 1 }}", json{{"a", 1}}), "1:4: a is not a method but has arguments");
  EXPECT_EQ(renderError("{{ \"x\" | .a }}"), "1:10: a is not a method but has arguments");
  EXPECT_EQ(renderError("{{ fail \"stop here\" }}"), "1:4: error calling fail: stop here");
  EXPECT_EQ(renderError("{{ range true }}{{ end }}"), "1:1: range can't iterate over bool");
}

TEST(GoTemplate, ComparisonsWithMissingValuesAreFalseNotErrors) {
  EXPECT_EQ(render("{{ if eq .Values.env \"prod\" }}prod{{ else }}other{{ end }}",
                   json{{"Values", json::object()}}),
            "other");
  EXPECT_EQ(render("{{ eq 1 2 1 }} {{ ne \"a\" \"b\" }} {{ lt 1 2.5 }} {{ ge \"b\" \"a\" }}"),
            "true true true true");
}

TEST(GoTemplate, UsesTheInjectedClock) {
  TemplateOptions options;
  options.clock = [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1706745599)); };
  EXPECT_EQ(
      renderGoTemplate("{{ now | date \"20060102-150405\" }} {{ now | unixEpoch }}", json::object(), options)
          .text,
      "20240131-235959 1706745599");
  EXPECT_EQ(renderGoTemplate("{{ now }}", json::object(), options).text, "2024-01-31 23:59:59 +0000 UTC");
}

TEST(GoTemplate, EveryPrefixOfATemplateRendersOrFailsCleanly) {
  const std::string full =
      "a {{- /* c */ -}} {{ $x := .l }}{{ range $i, $v := $x }}{{ if and (gt $i 0) (ne $v \"b\") }}"
      "{{ printf \"%q-%d\" $v $i | upper }}{{ else if eq $v `b` }}{{ break }}{{ else }}{{ continue }}{{ end "
      "}}"
      "{{ end }}{{ with .m }}{{ .k | default 'x' }}{{ end }}{{ index .m \"k\" | toJson }}{{ -1.5e3 }}";
  const json data = {{"l", {"a", "b", "c"}}, {"m", {{"k", "v"}}}};
  EXPECT_NO_THROW(render(full, data));
  for (std::size_t n = 0; n <= full.size(); ++n) {
    try {
      render(full.substr(0, n), data);
    } catch (const TemplateError& e) {
      EXPECT_GE(e.line(), 1);
      EXPECT_GE(e.column(), 1);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "prefix " << n << " threw " << e.what();
    }
  }
}

}  // namespace
}  // namespace hangar::config
