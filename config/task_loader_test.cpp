#include "config/task_loader.hpp"

#include <gtest/gtest.h>

#include "config/conformance_test_helper.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::config {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

LoadOptions options(std::string text, json values = json::object()) {
  LoadOptions o;
  o.fileName = "acb.yaml";
  o.text = std::move(text);
  o.data.run.id = "ca1";
  o.data.run.registry = "reg.example.io";
  o.data.run.date = "20240131-235959z";
  o.data.values = std::move(values);
  return o;
}

/// The first error of a load that must fail, as "FILE:LINE:COL: error: MESSAGE".
std::string loadError(const LoadOptions& o) {
  try {
    loadTask(o);
  } catch (const TaskError& e) {
    for (const Diagnostic& d : e.diagnostics().all())
      if (d.severity == Severity::Error) return d.str();
  }
  return "no error";
}

TEST(TaskLoader, RendersRunVariablesAndValues) {
  const LoadedTask t =
      loadTask(options("steps:\n  - build: -t {{.Run.Registry}}/{{.Values.image}}:{{.Run.ID}} .\n  - push: "
                       "[\"{{.Values.image}}\"]\n",
                       json{{"image", "web"}}));
  EXPECT_EQ(t.renderedText, "steps:\n  - build: -t reg.example.io/web:ca1 .\n  - push: [\"web\"]\n");
  ASSERT_EQ(t.task.steps.size(), 2u);
  EXPECT_EQ(t.task.steps[0].build, "-t reg.example.io/web:ca1 .");
  EXPECT_TRUE(t.imageAliases.empty());
  EXPECT_FALSE(t.task.alias.has_value());
  EXPECT_EQ(t.task.file, "acb.yaml");
}

TEST(TaskLoader, ExpandsAliasesAndImageAliasesFromVersion110) {
  const LoadedTask t = loadTask(
      options("version: v1.1.0\nalias:\n  values:\n    tool: alpine:3\nsteps:\n  - cmd: bash echo $ID\n"
              "  - cmd: tool ls\n  - build: -t $Registry/app:$ID .\n"));
  ASSERT_EQ(t.task.steps.size(), 3u);
  EXPECT_EQ(t.task.steps[0].cmd, "mcr.microsoft.com/acr/bash:2ff604c echo ca1");
  EXPECT_EQ(t.task.steps[1].cmd, "alpine:3 ls");
  EXPECT_EQ(t.task.steps[2].build, "-t reg.example.io/app:ca1 .");
  EXPECT_EQ(t.imageAliases.at("tool"), "alpine:3");
  ASSERT_TRUE(t.task.alias.has_value());
  EXPECT_EQ(t.task.alias->values.at("tool"), "alpine:3");
  EXPECT_EQ(t.renderedText.find("alias:"), std::string::npos);
}

TEST(TaskLoader, WithoutVersion110CommandsKeepTheirFirstWord) {
  const LoadedTask t = loadTask(options("steps:\n  - cmd: bash echo $ID\n"));
  EXPECT_EQ(t.task.steps[0].cmd, "bash echo $ID");
  ASSERT_EQ(t.diagnostics.all().size(), 1u) << t.diagnostics.str();
  EXPECT_EQ(t.diagnostics.all()[0].severity, Severity::Warning);
}

TEST(TaskLoader, TemplateErrorsPointAtTheTaskFile) {
  EXPECT_EQ(loadError(options("# comment\n# another\nsteps:\n  - cmd: echo {{ .Values.x | nope }}\n")),
            "acb.yaml:4:30: error: template: function \"nope\" not defined");
}

TEST(TaskLoader, ParserErrorsPointThroughAliasesAndTemplates) {
  // A multi-line alias and a range that writes several lines come before the typo on line 12.
  const LoadOptions o = options(
      "version: v1.1.0\n# c\nalias:\n  values:\n    first: |\n      cmd: a\n          timeout: 5\nsteps:\n  "
      "- "
      "$first\n"
      "{{- range .Values.names }}\n  - cmd: echo {{ . }}\n{{- end }}\n  - cmd: b\n    timout: 5\n",
      json{{"names", {"x", "y", "z"}}});
  EXPECT_EQ(loadError(o), "acb.yaml:14:5: error: unknown key 'timout' in a step (did you mean 'timeout'?)");
}

TEST(TaskLoader, ResolvesSecretsInASecondPass) {
  LoadOptions o = options(
      "secrets:\n  - id: token\n    keyvault: https://{{.Values.vault}}.vault.azure.net/secrets/t\n"
      "steps:\n  - cmd: bash echo {{.Secrets.token}}\n",
      json{{"vault", "myvault"}});
  std::vector<std::string> asked;
  o.resolveSecrets = [&](const std::vector<SecretSpec>& secrets) {
    for (const SecretSpec& s : secrets) asked.push_back(s.id + "=" + s.keyVault);
    return std::map<std::string, std::string>{{"token", "s3cr3t"}};
  };
  const LoadedTask t = loadTask(o);
  EXPECT_EQ(asked, (std::vector<std::string>{"token=https://myvault.vault.azure.net/secrets/t"}));
  EXPECT_EQ(t.task.steps[0].cmd, "bash echo s3cr3t");
}

TEST(TaskLoader, RendersSecretsGivenDirectlyWithoutAResolver) {
  LoadOptions o = options("steps:\n  - cmd: echo {{.Secrets.token}}\n");
  o.data.secrets["token"] = "abc";
  EXPECT_EQ(renderTask(o), "steps:\n  - cmd: echo abc\n");
}

TEST(TaskLoader, CommandTaskText) {
  EXPECT_EQ(commandTaskText("  bash echo \"a: b\" # x  ", 300),
            "version: v1.1.0\nsteps:\n  - cmd: |-\n      bash echo \"a: b\" # x\n"
            "    disableWorkingDirectoryOverride: true\n    timeout: 300\n");
  LoadOptions o = options(commandTaskText("bash echo {{.Run.ID}} $Registry 'q: \"x\"'", 300));
  const LoadedTask t = loadTask(o);
  ASSERT_EQ(t.task.steps.size(), 1u);
  EXPECT_EQ(t.task.steps[0].cmd, "mcr.microsoft.com/acr/bash:2ff604c echo ca1 reg.example.io 'q: \"x\"'");
  EXPECT_TRUE(t.task.steps[0].disableWorkingDirectoryOverride);
  EXPECT_EQ(t.task.steps[0].timeout, 300);
  EXPECT_EQ(commandTaskText("x", 0),
            "version: v1.1.0\nsteps:\n  - cmd: |-\n      x\n    disableWorkingDirectoryOverride: true\n");
}

TEST(TaskLoader, AliasSourcesAreReadFromTheContext) {
  test::TempDir context;
  context.write("aliases/team.yaml", "builder: team/builder:1\n");
  LoadOptions o =
      options("version: v1.1.0\nalias:\n  src: [aliases/team.yaml]\nsteps:\n  - cmd: builder make\n");
  o.contextDir = context.path();
  EXPECT_EQ(loadTask(o).task.steps[0].cmd, "team/builder:1 make");
  o.contextDir.clear();
  EXPECT_EQ(loadError(o),
            "acb.yaml:3:9: error: alias src 'aliases/team.yaml': it is a local file but the run has no "
            "source context");
}

TEST(TaskLoader, LoadsTheConformanceSamples) {
  const auto dir = testing::conformanceDir();
  if (!dir) GTEST_SKIP() << "conformance corpus not found (set HANGAR_CONFORMANCE_DIR)";
  const json values = {{"REGISTRY1", "reg1.example.io"},
                       {"REGISTRY2", "reg2.example.io"},
                       {"registryName", "reg"},
                       {"secret1", "one"},
                       {"secret2", "two"},
                       {"mysecret", "m"},
                       {"apiName", "v1"},
                       {"pullStep", "puller"}};
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(*dir / "azure-samples"))
    if (entry.path().extension() == ".yaml" || entry.path().extension() == ".yml")
      files.push_back(entry.path());
  for (const char* f :
       {"templating/testdata/helloworld/git-build.yaml", "templating/testdata/helloworld/manifest.yaml",
        "templating/testdata/mounts/mounts_multistep.yaml", "templating/testdata/caching/cache.yaml"})
    files.push_back(*dir / "acr-builder" / f);
  ASSERT_GT(files.size(), 10u);
  for (const fs::path& file : files) {
    LoadOptions o = options(test::read_file(file), values);
    o.fileName = file.filename().string();
    o.contextDir = file.parent_path();
    try {
      const LoadedTask t = loadTask(o);
      EXPECT_FALSE(t.task.steps.empty()) << file;
      EXPECT_EQ(t.renderedText.find("{{"), std::string::npos) << file;
    } catch (const TaskError& e) {
      ADD_FAILURE() << file << ":\n" << e.what();
    }
  }
}

}  // namespace
}  // namespace hangar::config
