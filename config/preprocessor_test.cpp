#include "config/preprocessor.hpp"

#include <gtest/gtest.h>

#include "config/conformance_test_helper.hpp"
#include "config/values.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::config {
namespace {

namespace fs = std::filesystem;

PreprocessOptions optionsFor(fs::path contextDir = {}) {
  TemplateData data;
  data.run.id = "ca1";
  data.run.registry = "reg.example.io";
  PreprocessOptions options;
  options.templateRoot = templateRoot(data);
  options.aliasSources.contextDir = std::move(contextDir);
  return options;
}

TEST(Preprocessor, StripsCommentLinesAndMapsLines) {
  Diagnostics d;
  const SourceText s =
      stripComments("# head\nsteps:\r\n  # inner\n  - cmd: a # not a comment line\n\n#x", "t.yaml", d);
  EXPECT_EQ(s.text, "steps:\n  - cmd: a # not a comment line\n\n");
  EXPECT_EQ(s.lines.originalLine, (std::vector<int>{2, 4, 5}));
  EXPECT_TRUE(d.all().empty());
}

TEST(Preprocessor, WarnsWhenACommentLineIsInsideABlockScalar) {
  Diagnostics d;
  const SourceText s =
      stripComments("steps:\n  - cmd: |\n      #!/bin/sh\n      echo\n  # between steps\n", "t.yaml", d);
  EXPECT_EQ(s.text, "steps:\n  - cmd: |\n      echo\n");
  ASSERT_EQ(d.all().size(), 1u) << d.str();
  EXPECT_EQ(d.all()[0].position.str(), "t.yaml:3:7");
  EXPECT_EQ(d.all()[0].severity, Severity::Warning);
}

TEST(Preprocessor, FindsTheVersion) {
  Diagnostics d;
  const auto version = [&](const std::string& text) { return findVersion(stripComments(text, "t", d)); };
  EXPECT_EQ(version("version: v1.1.0\n").value, "v1.1.0");
  EXPECT_EQ(version("# c\nsteps: []\nversion: \"v1.1.0\" # x\n").value, "v1.1.0");
  EXPECT_EQ(version("# c\nsteps: []\nversion: \"v1.1.0\" # x\n").line, 3);
  EXPECT_EQ(version("'version' : v1.0.0 # comment\n").value, "v1.0.0");
  EXPECT_EQ(version("  version: v1.1.0\nversions: x\n").value, "");
  EXPECT_EQ(version("steps: []\n").line, 0);
}

TEST(Preprocessor, AliasGateIsByteWise) {
  EXPECT_TRUE(aliasesEnabled("v1.1.0"));
  EXPECT_TRUE(aliasesEnabled("v1.10.0"));
  EXPECT_TRUE(aliasesEnabled("v2"));
  EXPECT_FALSE(aliasesEnabled("v1.0.0"));
  EXPECT_FALSE(aliasesEnabled("V1.1.0"));
  EXPECT_FALSE(aliasesEnabled("1.1.0"));
  EXPECT_FALSE(aliasesEnabled(""));
}

TEST(Preprocessor, WarnsAboutCaseVariantsOfTheVersion) {
  Diagnostics d;
  const PreprocessedTask t =
      preprocessTask("version: V1.1.0\nsteps:\n  - cmd: $Registry/x\n", "t.yaml", optionsFor(), d);
  EXPECT_FALSE(t.aliasesEnabled);
  EXPECT_EQ(t.text.text, "version: V1.1.0\nsteps:\n  - cmd: $Registry/x\n");
  ASSERT_EQ(d.all().size(), 2u) << d.str();
  EXPECT_EQ(d.all()[0].str(),
            "t.yaml:1:1: warning: version 'V1.1.0' does not enable aliases: ACR compares it byte-wise with "
            "\"v1.1.0\"; write 'v1.1.0'");
  EXPECT_EQ(d.all()[1].position.str(), "t.yaml:3:10");
}

TEST(Preprocessor, SplitsTheAliasBlock) {
  Diagnostics d;
  const SourceText s = stripComments(
      "version: v1.1.0\nalias :\n  values:\n    a: |\n      x\n\n  directive: '@'\nsteps:\n  - cmd: y\n", "t",
      d);
  const AliasSplit split = splitAliasSection(s);
  EXPECT_EQ(split.alias.text, "alias :\n  values:\n    a: |\n      x\n\n  directive: '@'\n");
  EXPECT_EQ(split.alias.lines.originalLine, (std::vector<int>{2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(split.rest.text, "version: v1.1.0\nsteps:\n  - cmd: y\n");
  EXPECT_EQ(split.rest.lines.originalLine, (std::vector<int>{1, 8, 9}));
}

TEST(Preprocessor, RendersTheAliasBlockAndSubstitutes) {
  Diagnostics d;
  const PreprocessedTask t = preprocessTask(
      "version: v1.1.0\n# note\nalias:\n  values:\n    reg: \"{{.Run.Registry}}\"\n    step: |\n      id: "
      "s1\n"
      "        cmd: bash echo $$HOME\nsteps:\n  - $step\n  - cmd: $reg/app:$ID $HOME\n",
      "t.yaml", optionsFor(), d);
  ASSERT_FALSE(d.hasErrors()) << d.str();
  EXPECT_TRUE(t.aliasesEnabled);
  EXPECT_EQ(t.text.text,
            "version: v1.1.0\nsteps:\n  - id: s1\n  cmd: bash echo $$HOME\n\n  - cmd: "
            "reg.example.io/app:{{.Run.ID}} $HOME\n");
  EXPECT_EQ(t.text.lines.originalLine, (std::vector<int>{1, 9, 10, 10, 10, 11}));
  ASSERT_TRUE(t.alias);
  EXPECT_EQ(t.alias->values.at("reg"), "reg.example.io");
  EXPECT_EQ(t.aliases.at("bash"), "mcr.microsoft.com/acr/bash:2ff604c");
}

TEST(Preprocessor, ATemplateErrorInTheAliasBlockPointsAtTheTaskFile) {
  Diagnostics d;
  preprocessTask("version: v1.1.0\n\n# c\nalias:\n  values:\n    a: \"{{ nope }}\"\nsteps: []\n", "t.yaml",
                 optionsFor(), d);
  ASSERT_TRUE(d.hasErrors());
  EXPECT_EQ(d.all().back().str(), "t.yaml:6:12: error: template: function \"nope\" not defined");
}

TEST(Preprocessor, WithoutVersionTheAliasBlockStaysAndIsReported) {
  Diagnostics d;
  const PreprocessedTask t =
      preprocessTask("alias:\n  values:\n    a: b\nsteps:\n  - cmd: $a\n", "t.yaml", optionsFor(), d);
  EXPECT_FALSE(t.aliasesEnabled);
  EXPECT_EQ(t.text.text, "alias:\n  values:\n    a: b\nsteps:\n  - cmd: $a\n");
  ASSERT_EQ(d.all().size(), 1u) << d.str();
  EXPECT_EQ(d.all()[0].str(),
            "t.yaml:1:1: warning: the alias block has no effect: aliases need 'version: v1.1.0' or later");
}

// --- The acr-builder preprocessor test data ----------------------------------------------------------

/// The top-level cases of preprocessing-stress.yaml, each body de-indented by two spaces.
std::map<std::string, std::string> stressCases(const fs::path& file) {
  const std::string text = test::read_file(file);
  std::map<std::string, std::string> cases;
  std::string current;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line[0] != ' ' && line.back() == ':') {
      current = line.substr(0, line.size() - 1);
      cases[current];
    } else if (!current.empty()) {
      cases[current] += (line.rfind("  ", 0) == 0 ? line.substr(2) : line) + "\n";
    }
  }
  return cases;
}

class AcrBuilderPreprocessor : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto dir = testing::conformanceDir();
    if (!dir) GTEST_SKIP() << "conformance corpus not found (set HANGAR_CONFORMANCE_DIR)";
    graph_ = *dir / "acr-builder" / "graph";
    data_ = graph_ / "testdata" / "preprocessor";
  }
  std::string preprocess(const std::string& text, const std::string& name, Diagnostics& d,
                         fs::path context = {}) {
    PreprocessOptions options = optionsFor(context.empty() ? graph_ : context);
    const PreprocessedTask t = preprocessTask(text, name, options, d);
    EXPECT_TRUE(t.aliasesEnabled) << name;
    return t.text.text;
  }
  fs::path graph_;
  fs::path data_;
};

TEST_F(AcrBuilderPreprocessor, StressFileReproducesItsExpectedOutputs) {
  const auto cases = stressCases(data_ / "preprocessing-stress.yaml");
  ASSERT_EQ(cases.size(), 6u);
  Diagnostics d;
  // Chained aliases with the whale directive, from alphanumeric-external.yaml (a src relative to graph/).
  EXPECT_EQ(preprocess(cases.at("Chaining Directive Unicode"), "chaining", d), cases.at("Expected"));
  // $$ escapes.
  EXPECT_EQ(preprocess(cases.at("Escape"), "escape", d), cases.at("Expected Escape"));
  // Aliases defined but never used leave the text alone.
  EXPECT_EQ(preprocess(cases.at("Alias No Use"), "no-use", d), cases.at("Expected"));
  // Whole steps spliced in from block scalars: the same YAML (the values are single-quoted where Expected
  // uses double quotes, and keep their trailing newline, so only the data can match).
  const std::string multiline = preprocess(cases.at("Multiline Alias"), "multiline", d);
  EXPECT_EQ(yamlToJson(YAML::Load(multiline)), yamlToJson(YAML::Load(cases.at("Expected"))));
  EXPECT_NE(multiline.find("  - id: build-qux\n    cmd: 'azure/images/acr-builder build -f Dockerfile"),
            std::string::npos);
  EXPECT_FALSE(d.hasErrors()) << d.str();
}

TEST_F(AcrBuilderPreprocessor, ValidAliasWithVersion110UsesValuesFilesAndRemoteSources) {
  std::string text = test::read_file(data_ / "valid-alias.yaml");
  const std::size_t at = text.find("version: v1.0.0");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 15, "version: v1.1.0");
  PreprocessOptions options = optionsFor(data_);
  std::vector<std::string> fetched;
  options.aliasSources.fetchUrl = [&](const std::string& url) {
    fetched.push_back(url);
    return test::read_file(data_ / "valid-remote.yaml");
  };
  Diagnostics d;
  const PreprocessedTask t = preprocessTask(text, "valid-alias.yaml", options, d);
  ASSERT_FALSE(d.hasErrors()) << d.str();
  EXPECT_EQ(fetched.size(), 1u);
  EXPECT_NE(
      t.text.text.find("cmd: \"azure/images/acr-builder build -f Dockerfile https://github.com/ehotinger/qux "
                       "--cache-from=ubuntu\""),
      std::string::npos)
      << t.text.text;
  EXPECT_NE(
      t.text.text.find("cmd: acb build -f Dockerfile https://github.com/ehotinger/bar --cache-from=ubuntu"),
      std::string::npos);
  EXPECT_EQ(t.aliases.at("acb"), "azure/images/acr-builder");
  EXPECT_EQ(t.aliases.at("git"), "azure/images/git");
  EXPECT_EQ(t.aliases.at("docker"), "azure/images/docker");
  EXPECT_EQ(t.aliases.at("registry"), "reg.example.io");
  EXPECT_EQ(t.aliases.at("pack"), "mcr.microsoft.com/azure-task-commands/buildpack:latest pack");
  // The comment header (lines 1-4) is gone; the first kept line is the blank line 5.
  EXPECT_EQ(t.text.lines.originalLine.front(), 5);
}

TEST_F(AcrBuilderPreprocessor, ValidAliasAsWrittenHasAliasesOff) {
  Diagnostics d;
  const PreprocessedTask t =
      preprocessTask(test::read_file(data_ / "valid-alias.yaml"), "valid-alias.yaml", optionsFor(data_), d);
  EXPECT_FALSE(t.aliasesEnabled);
  EXPECT_EQ(t.version.value, "v1.0.0");
  EXPECT_NE(t.text.text.find("$qux"), std::string::npos);
}

TEST_F(AcrBuilderPreprocessor, ExternalFiles) {
  const auto run = [&](const std::string& src, Diagnostics& d) {
    return preprocess(
        "version: v1.1.0\nalias:\n  src:\n    - " + src + "\nsteps:\n  - cmd: $a$Z$0 $singularity $n\n",
        "t.yaml", d, data_);
  };
  Diagnostics alnum;
  EXPECT_EQ(run("alphanumeric-external.yaml", alnum),
            "version: v1.1.0\nsteps:\n  - cmd: aZ0 $singularity n\n");
  EXPECT_FALSE(alnum.hasErrors()) << alnum.str();
  Diagnostics external;
  EXPECT_EQ(run("./valid-external.yaml", external),
            "version: v1.1.0\nsteps:\n  - cmd: $a$Z$0 "
            "mcr.microsoft.com/acr-task-commands/singularity-builder:3.3 $n\n");
  EXPECT_FALSE(external.hasErrors()) << external.str();
  Diagnostics empty;
  EXPECT_EQ(run("empty-external.yaml", empty), "version: v1.1.0\nsteps:\n  - cmd: $a$Z$0 $singularity $n\n");
  EXPECT_FALSE(empty.hasErrors()) << empty.str();
  Diagnostics invalid;
  run("invalid-external.yaml", invalid);
  ASSERT_TRUE(invalid.hasErrors());
  EXPECT_EQ(invalid.all()[0].position.str(), "t.yaml:4:7");
  EXPECT_NE(invalid.all()[0].message.find("alias src 'invalid-external.yaml'"), std::string::npos);
}

TEST_F(AcrBuilderPreprocessor, InvalidRemoteIsAnError) {
  PreprocessOptions options = optionsFor(data_);
  options.aliasSources.fetchUrl = [&](const std::string&) {
    return test::read_file(data_ / "invalid-remote.yaml");
  };
  Diagnostics d;
  preprocessTask("version: v1.1.0\nalias:\n  src: [\"https://example.invalid/r.yaml\"]\nsteps: []\n",
                 "t.yaml", options, d);
  ASSERT_TRUE(d.hasErrors());
  EXPECT_EQ(d.all()[0].position.str(), "t.yaml:3:9");
}

}  // namespace
}  // namespace hangar::config
