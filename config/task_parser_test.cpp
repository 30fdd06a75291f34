#include "config/task_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/conformance_test_helper.hpp"
#include "config/parse_test_helper.hpp"

namespace hangar::config {
namespace {

using ::testing::ElementsAre;
using testing::errorCount;
using testing::hasError;
using ::testing::HasSubstr;
using testing::hasWarning;
using testing::parse;
using testing::ParseResult;
using testing::parseValid;

TEST(TaskParser, ReadsEveryTopLevelKey) {
  Task task = parseValid(R"(version: v1.1.0
stepTimeout: 120
workingDirectory: src
env: [A=1, B=2]
secrets:
  - id: one
    keyvault: https://vault.example/secrets/one
    clientID: 01234567-89ab-cdef-0123-456789ABCDEF
  - id: two
    keyvault: https://vault.example/secrets/two
networks:
  - name: net1
    driver: bridge
    ipv6: true
    skipCreation: yes
    isDefault: true
  - name: net2
volumes:
  - name: vol_1
    secret:
      file.txt: aGVsbG8=
      other: ""
alias:
  src: [aliases.yaml, https://example.com/a.yaml]
  values:
    img: busybox
  directive: "@"
steps:
  - cmd: busybox true
)");
  EXPECT_EQ(task.file, "acb.yaml");
  EXPECT_EQ(task.version, "v1.1.0");
  EXPECT_EQ(task.stepTimeout, 120);
  EXPECT_EQ(task.workingDirectory, "src");
  EXPECT_THAT(task.env, ElementsAre("A=1", "B=2"));
  ASSERT_EQ(task.secrets.size(), 2u);
  EXPECT_EQ(task.secrets[0].id, "one");
  EXPECT_EQ(task.secrets[0].keyVault, "https://vault.example/secrets/one");
  EXPECT_EQ(task.secrets[0].clientId, "01234567-89ab-cdef-0123-456789ABCDEF");
  EXPECT_EQ(task.secrets[0].position.line, 6);
  EXPECT_EQ(task.secrets[1].clientId, "");
  ASSERT_EQ(task.networks.size(), 2u);
  EXPECT_EQ(task.networks[0].name, "net1");
  EXPECT_EQ(task.networks[0].driver, "bridge");
  EXPECT_TRUE(task.networks[0].ipv6);
  EXPECT_TRUE(task.networks[0].skipCreation);
  EXPECT_TRUE(task.networks[0].isDefault);
  EXPECT_EQ(task.networks[1].name, "net2");
  EXPECT_FALSE(task.networks[1].ipv6 || task.networks[1].skipCreation || task.networks[1].isDefault);
  EXPECT_EQ(task.networks[1].driver, "");
  ASSERT_EQ(task.volumes.size(), 1u);
  EXPECT_EQ(task.volumes[0].name, "vol_1");
  EXPECT_EQ(task.volumes[0].secret.at("file.txt"), "aGVsbG8=");
  EXPECT_EQ(task.volumes[0].secret.at("other"), "");
  ASSERT_TRUE(task.alias.has_value());
  EXPECT_THAT(task.alias->src, ElementsAre("aliases.yaml", "https://example.com/a.yaml"));
  EXPECT_EQ(task.alias->values.at("img"), "busybox");
  EXPECT_EQ(task.alias->directive, "@");
  ASSERT_EQ(task.steps.size(), 1u);
  EXPECT_EQ(task.steps[0].timeout, 120);
  EXPECT_EQ(task.steps[0].workingDirectory, "src");
}

TEST(TaskParser, AppliesTopLevelDefaults) {
  Task task = parseValid("steps:\n  - cmd: busybox true\n");
  EXPECT_EQ(task.version, "v1.0.0");
  EXPECT_EQ(task.stepTimeout, 600);
  EXPECT_EQ(task.workingDirectory, "");
  EXPECT_TRUE(task.env.empty());
  EXPECT_TRUE(task.secrets.empty());
  EXPECT_TRUE(task.networks.empty());
  EXPECT_TRUE(task.volumes.empty());
  EXPECT_FALSE(task.alias.has_value());
  EXPECT_EQ(task.steps.at(0).timeout, 600);

  Task zero = parseValid("stepTimeout: 0\nalias:\n  values: {a: b}\nsteps:\n  - cmd: x\n    timeout: 0\n");
  EXPECT_EQ(zero.stepTimeout, 600);
  EXPECT_EQ(zero.steps.at(0).timeout, 600);
  EXPECT_EQ(zero.alias.value().directive, "$");
}

TEST(TaskParser, AcceptsValidVersionsInAnyCase) {
  for (const char* version : {"v1.0.0", "V1.1.0", "1.0-PREVIEW-1", "'v1.1.0'"}) {
    auto result = parse(std::string("version: ") + version + "\nsteps:\n  - cmd: x\n");
    EXPECT_TRUE(result.task.has_value()) << version << "\n" << result.diagnostics.str();
  }
}

TEST(TaskParser, RejectsUnknownVersion) {
  auto result = parse("steps:\n  - cmd: x\nversion: v2\n");
  EXPECT_TRUE(hasError(result, 3, 10, "invalid version 'v2'"));
  EXPECT_EQ(result.diagnostics.all().at(0).str(),
            "acb.yaml:3:10: error: invalid version 'v2': use v1.1.0 "
            "(aliases on), v1.0.0 or 1.0-preview-1");
}

TEST(TaskParser, UnknownTopLevelKeyIsAnErrorWithSuggestion) {
  auto result = parse("stepTimout: 5\nsteps:\n  - cmd: x\n");
  EXPECT_TRUE(hasError(result, 1, 1, "unknown key 'stepTimout' in the task (did you mean 'stepTimeout'?)"));
  auto far = parse("steps:\n  - cmd: x\nfrobnicate: 1\n");
  EXPECT_TRUE(hasError(far, 3, 1, "unknown key 'frobnicate' in the task"));
  EXPECT_THAT(far.diagnostics.str(), ::testing::Not(HasSubstr("did you mean")));
}

TEST(TaskParser, TotalTimeoutIsAcceptedWithAWarning) {
  auto result = parse("totalTimeout: 3600\nsteps:\n  - cmd: x\n");
  ASSERT_TRUE(result.task.has_value()) << result.diagnostics.str();
  EXPECT_TRUE(hasWarning(result, 1, 1, "'totalTimeout' has no effect"));
  EXPECT_TRUE(hasWarning(result, 1, 1, "--timeout"));
}

TEST(TaskParser, WrongTypesNameTheKeyAtTheValue) {
  EXPECT_TRUE(hasError(parse("stepTimeout: soon\nsteps:\n  - cmd: x\n"), 1, 14,
                       "'stepTimeout' must be an integer, got 'soon'"));
  EXPECT_TRUE(hasError(parse("stepTimeout: \"600\"\nsteps:\n  - cmd: x\n"), 1, 14, "without quotes"));
  EXPECT_TRUE(hasError(parse("stepTimeout: 99999999999\nsteps:\n  - cmd: x\n"), 1, 14, "out of range"));
  EXPECT_TRUE(hasError(parse("env: A=1\nsteps:\n  - cmd: x\n"), 1, 6, "'env' must be a list"));
  EXPECT_TRUE(hasError(parse("steps:\n  cmd: x\n"), 2, 3, "'steps' must be a list"));
  EXPECT_TRUE(hasError(parse("workingDirectory: [a]\nsteps:\n  - cmd: x\n"), 1, 19,
                       "'workingDirectory' must be a string, got a list"));
  EXPECT_TRUE(hasError(parse("secrets: [abc]\nsteps:\n  - cmd: x\n"), 1, 11,
                       "each entry of 'secrets' must be a map"));
  EXPECT_TRUE(hasError(parse("networks:\n  - name: n\n    ipv6: maybe\nsteps:\n  - cmd: x\n"), 3, 11,
                       "'ipv6' must be true or false, got 'maybe'"));
  EXPECT_TRUE(hasError(parse("alias: [a]\nsteps:\n  - cmd: x\n"), 1, 8, "'alias' must be a map"));
}

TEST(TaskParser, NegativeStepTimeoutIsAnError) {
  EXPECT_TRUE(
      hasError(parse("stepTimeout: -5\nsteps:\n  - cmd: x\n"), 1, 14, "'stepTimeout' must be 0 or more"));
}

TEST(TaskParser, YamlSyntaxErrorHasItsPosition) {
  auto result = parse("steps:\n  - cmd: x\n    env: [A=1, B=2\n");
  ASSERT_FALSE(result.task.has_value());
  ASSERT_EQ(result.diagnostics.all().size(), 1u);
  const Diagnostic& d = result.diagnostics.all()[0];
  EXPECT_EQ(d.severity, Severity::Error);
  EXPECT_THAT(d.message, HasSubstr("invalid YAML"));
  EXPECT_EQ(d.position.line, 4);
  EXPECT_EQ(d.position.column, 1);

  auto indent = parse("steps:\n  - cmd: x\n   timeout: 5\n");
  EXPECT_TRUE(hasError(indent, 3, 4, "invalid YAML: end of sequence not found"));
}

TEST(TaskParser, EmptyOrNonMapFilesAreErrors) {
  EXPECT_TRUE(hasError(parse(""), 1, 1, "a task file must be a YAML map"));
  EXPECT_TRUE(hasError(parse("FROM busybox"), 1, 1, "is this a Dockerfile?"));
  EXPECT_TRUE(hasError(parse("version: v1.0.0\n"), 1, 1, "the task has no 'steps:'"));
  EXPECT_TRUE(hasError(parse("steps: []\n"), 1, 1, "'steps' is empty"));
}

TEST(TaskParser, DuplicateTopLevelKeyIsAnError) {
  EXPECT_TRUE(hasError(parse("steps:\n  - cmd: x\nstepTimeout: 1\nstepTimeout: 2\n"), 4, 1,
                       "duplicate key 'stepTimeout' in the task (first given at line 3)"));
}

TEST(TaskParser, MergesTaskEnvIntoStepsWithoutSplittingOnCommas) {
  // B1: acr-builder splits task-level env entries on ','; Hangar keeps JAVA_OPTS whole.
  Task task = parseValid(R"(env: ["JAVA_OPTS=-a,-b", "foo=task", "bar=task"]
steps:
  - cmd: x
    env: [foo=step, own=1]
  - cmd: y
  - push: [img]
)");
  EXPECT_THAT(task.steps[0].env, ElementsAre("foo=step", "own=1", "JAVA_OPTS=-a,-b", "bar=task"));
  EXPECT_THAT(task.steps[1].env, ElementsAre("JAVA_OPTS=-a,-b", "foo=task", "bar=task"));
  EXPECT_THAT(task.steps[2].env, ElementsAre("JAVA_OPTS=-a,-b", "foo=task", "bar=task"));
  EXPECT_THAT(task.env, ElementsAre("JAVA_OPTS=-a,-b", "foo=task", "bar=task"));
}

TEST(TaskParser, TaskEnvEntriesNeedAnEqualsSign) {
  auto result = parse("env:\n  - GOOD=1\n  - BAD\n  - =x\nsteps:\n  - cmd: x\n");
  EXPECT_TRUE(hasError(result, 3, 5, "env entries must have the form NAME=VALUE; this one has no '='"));
  EXPECT_TRUE(hasError(result, 4, 5, "empty NAME"));
}

TEST(TaskParser, SecretErrors) {
  auto result = parse(R"(secrets:
  - id: nokv
  - id: bad guid
    keyvault: https://v/s
    clientID: not-a-guid
  - keyvault: https://v/s
  - id: dup
    keyvault: https://v/a
  - id: dup
    keyvault: https://v/b
    keyVault: https://v/c
steps:
  - cmd: x
)");
  EXPECT_TRUE(hasError(result, 2, 5, "secret 'nokv' needs 'keyvault'"));
  EXPECT_TRUE(hasError(result, 3, 9, "secret id 'bad guid' must not contain spaces"));
  EXPECT_TRUE(hasError(result, 5, 15, "the clientID of secret 'bad guid' must be a GUID"));
  EXPECT_TRUE(hasError(result, 6, 5, "a secret needs an 'id'"));
  EXPECT_TRUE(hasError(result, 9, 9, "duplicate secret id 'dup'"));
  EXPECT_TRUE(hasError(result, 11, 5, "unknown key 'keyVault' in a secret (did you mean 'keyvault'?)"));
  EXPECT_EQ(errorCount(result), 6u);
}

TEST(TaskParser, NetworkErrors) {
  auto result = parse("networks:\n  - driver: bridge\n  - name: a\n  - name: a\nsteps:\n  - cmd: x\n");
  EXPECT_TRUE(hasError(result, 2, 5, "a network needs a 'name'"));
  EXPECT_TRUE(hasError(result, 4, 11, "duplicate network name 'a'"));
}

TEST(TaskParser, VolumeErrors) {
  auto result = parse(R"(volumes:
  - name: my vol
    secret:
      ok: aGk=
  - name: v2
    secret:
      bad/name: aGk=
      notb64: "s3cr3t!value"
      short: aGk
  - name: v3
  - name: v2
    secret: {a: ""}
steps:
  - cmd: x
)");
  EXPECT_TRUE(hasError(result, 2, 11, "volume name 'my vol' may only contain letters, digits, '_' and '-'"));
  EXPECT_TRUE(hasError(result, 7, 7, "secret file name 'bad/name'"));
  EXPECT_TRUE(
      hasError(result, 8, 15, "the content of secret file 'notb64' in volume 'v2' is not valid base64"));
  EXPECT_TRUE(hasError(result, 9, 14, "secret file 'short'"));
  EXPECT_TRUE(hasError(result, 10, 5, "volume 'v3' needs a 'secret'"));
  EXPECT_TRUE(hasError(result, 11, 11, "duplicate volume name 'v2'"));
  EXPECT_EQ(errorCount(result), 6u);
  // Secret values never appear in messages.
  EXPECT_THAT(result.diagnostics.str(), ::testing::Not(HasSubstr("s3cr3t")));
}

TEST(TaskParser, AliasErrors) {
  auto result = parse(R"(alias:
  directive: ab
  values:
    good1: x
    bad-key: y
    "": z
steps:
  - cmd: x
)");
  EXPECT_TRUE(hasError(result, 2, 14, "alias directive 'ab' must be exactly one character"));
  EXPECT_TRUE(hasError(result, 5, 5, "alias name 'bad-key' may only contain letters and digits"));
  EXPECT_TRUE(hasError(result, 6, 5, "alias name ''"));
  EXPECT_TRUE(
      hasError(parse("alias:\n  directive: a\nsteps:\n  - cmd: x\n"), 2, 14, "not a letter or digit"));
  EXPECT_TRUE(
      hasError(parse("alias:\n  directive: '7'\nsteps:\n  - cmd: x\n"), 2, 14, "not a letter or digit"));
  EXPECT_TRUE(
      hasError(parse("alias:\n  direktive: '#'\nsteps:\n  - cmd: x\n"), 2, 3, "did you mean 'directive'?"));
  Task whale = parseValid("alias:\n  directive: \"\xF0\x9F\x90\xB3\"\nsteps:\n  - cmd: x\n");
  EXPECT_EQ(whale.alias.value().directive, "\xF0\x9F\x90\xB3");
}

TEST(TaskParser, ReportsEveryErrorOfAFile) {
  auto result = parse(R"(version: v9
stepTimeout: -1
steps:
  - cmd: x
    retries: -1
  - build: .
    cmd: y
  - id: a b
    cmd: z
    cache: yes
)");
  EXPECT_TRUE(hasError(result, 1, 10, "invalid version"));
  EXPECT_TRUE(hasError(result, 2, 14, "'stepTimeout' must be 0 or more"));
  EXPECT_TRUE(hasError(result, 5, 14, "'retries' must be 0 or more"));
  EXPECT_TRUE(hasError(result, 7, 5, "has both 'build' and 'cmd'"));
  EXPECT_TRUE(hasError(result, 8, 9, "must not contain spaces"));
  EXPECT_TRUE(hasError(result, 10, 12, "invalid value 'yes' for 'cache'"));
  EXPECT_EQ(errorCount(result), 6u);
}

TEST(TaskParser, DiagnosticsComeInFileOrder) {
  // The version is checked last and the `when` references after every step, yet both come in place.
  auto result = parse(
      "steps:\n  - cmd: x\n    when: [later]\n  - id: later\n    cmd: y\n    retries: -1\nversion: v3\n");
  ASSERT_EQ(result.diagnostics.all().size(), 3u) << result.diagnostics.str();
  EXPECT_EQ(result.diagnostics.all()[0].position.line, 3);
  EXPECT_EQ(result.diagnostics.all()[1].position.line, 6);
  EXPECT_EQ(result.diagnostics.all()[2].position.line, 7);
}

TEST(TaskParser, MapsPositionsThroughTheLineMap) {
  // The preprocessor dropped a comment at line 2 of the file, so processed line 3 is file line 4.
  LineMap lines{"tasks/ci.yaml", {1, 3, 4}};
  Diagnostics diagnostics;
  auto task = parseTask("steps:\n  - cmd: x\n    retries: -2\n", lines, diagnostics);
  EXPECT_FALSE(task.has_value());
  ASSERT_EQ(diagnostics.all().size(), 1u);
  EXPECT_THAT(diagnostics.all()[0].str(),
              HasSubstr("tasks/ci.yaml:4:14: error: 'retries' must be 0 or more"));
}

TEST(TaskParser, AppendsToExistingDiagnostics) {
  Diagnostics diagnostics;
  diagnostics.warning({"earlier.yaml", 1, 1}, "from the preprocessor");
  auto task = parseTask("steps:\n  - cmd: x\n", LineMap::identity("acb.yaml", 3), diagnostics);
  ASSERT_TRUE(task.has_value());
  ASSERT_EQ(diagnostics.all().size(), 1u);
  EXPECT_EQ(diagnostics.all()[0].message, "from the preprocessor");
}

// --- Conformance files -------------------------------------------------------------------------

/// A file's text without the lines whose trimmed text starts with '#', and the map back to the file.
struct Stripped {
  std::string text;
  LineMap lines;
};

Stripped readWithoutCommentLines(const std::filesystem::path& path) {
  Stripped out{"", {path.string(), {}}};
  std::ifstream in(path);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    auto first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line[first] == '#') continue;
    out.text += line + "\n";
    out.lines.originalLine.push_back(number);
  }
  return out;
}

ParseResult parseFile(const std::filesystem::path& path) {
  Stripped stripped = readWithoutCommentLines(path);
  ParseResult result;
  result.task = parseTask(stripped.text, stripped.lines, result.diagnostics);
  return result;
}

const std::filesystem::path kConformance = testing::conformanceDir().value_or("/work/shared/conformance");

TEST(TaskParserConformance, AzureSamplesParse) {
  if (!std::filesystem::exists(kConformance)) GTEST_SKIP() << "no conformance files at " << kConformance;
  int parsed = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kConformance / "azure-samples")) {
    const auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".yaml" && ext != ".yml")) continue;
    if (readWithoutCommentLines(entry.path()).text.find("{{") != std::string::npos)
      continue;  // needs templating
    ParseResult result = parseFile(entry.path());
    EXPECT_TRUE(result.task.has_value()) << entry.path() << "\n" << result.diagnostics.str();
    EXPECT_FALSE(result.diagnostics.hasErrors()) << result.diagnostics.str();
    ++parsed;
  }
  EXPECT_GE(parsed, 15);
}

TEST(TaskParserConformance, BuildTestUpdateHelloWorld) {
  const auto path = kConformance / "azure-samples/build-test-update-hello-world.yaml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "missing " << path;
  ParseResult result = parseFile(path);
  ASSERT_TRUE(result.task.has_value()) << result.diagnostics.str();
  const Task& task = *result.task;
  ASSERT_EQ(task.steps.size(), 6u);
  EXPECT_EQ(task.steps[2].position.line, 9);  // after the comment lines, as numbered in the file
  EXPECT_EQ(task.steps[0].id, "acb_step_0");
  EXPECT_THAT(task.steps[0].when, ElementsAre("-"));
  EXPECT_EQ(task.steps[2].id, "hello-world");
  EXPECT_TRUE(task.steps[2].when.empty());
  EXPECT_THAT(task.steps[4].push, ElementsAre("$Registry/hello-world:$ID"));
  // The folded scalar becomes one line (the file's trailing blanks are kept, as YAML says).
  EXPECT_EQ(task.steps[5].cmd,
            "cmd.azurecr.io/helm:v2.11.0-rc.2 update helloworld ./release/helm/  --reuse-values  --set "
            "helloworld.image=$Registry/hello-world:$ID\n");
}

TEST(TaskParserConformance, AcrBuilderBuildxTestdata) {
  const auto path = kConformance / "acr-builder/graph/testdata/buildx.yaml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "missing " << path;
  ParseResult result = parseFile(path);
  ASSERT_TRUE(result.task.has_value()) << result.diagnostics.str();
  ASSERT_EQ(result.task->steps.size(), 3u);
  for (const Step& step : result.task->steps) EXPECT_TRUE(step.cache) << step.id;  // "enabled", "Enabled"
  EXPECT_EQ(result.task->steps[2].id, "myCustomStepID");
}

TEST(TaskParserConformance, AcrBuilderGraphTestdata) {
  const auto path = kConformance / "acr-builder/graph/testdata/acb.yaml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "missing " << path;
  ParseResult result = parseFile(path);
  ASSERT_TRUE(result.task.has_value()) << result.diagnostics.str();
  EXPECT_FALSE(result.diagnostics.hasErrors());
  const Task& task = *result.task;
  ASSERT_EQ(task.steps.size(), 7u);

  const Step& puller = task.steps[0];
  EXPECT_EQ(puller.id, "puller");
  EXPECT_THAT(puller.env, ElementsAre("eric=foo", "foo=bar"));  // foo=bar wins over the task's foo=taskEnv
  EXPECT_EQ(puller.entryPoint, "someEntryPoint");
  EXPECT_EQ(puller.workingDirectory, "pullDir");
  EXPECT_EQ(puller.retries, 5);
  EXPECT_EQ(puller.retryDelay, 90);
  EXPECT_TRUE(puller.pull);
  EXPECT_THAT(puller.exitedWithout, ElementsAre(0, 255));

  const Step& qux = task.steps[1];
  EXPECT_TRUE(qux.detach);
  EXPECT_EQ(qux.startDelay, 50);
  EXPECT_THAT(qux.env, ElementsAre("foo=taskEnv"));

  const Step& c = task.steps[2];
  EXPECT_THAT(c.ports, ElementsAre("8000:8000", "8080:8080"));
  EXPECT_THAT(c.expose, ElementsAre("80", "81"));
  EXPECT_TRUE(c.keep);
  EXPECT_EQ(c.isolation, "default");

  const Step& b = task.steps[4];
  EXPECT_THAT(b.when, ElementsAre("C"));
  EXPECT_TRUE(b.ignoreErrors);
  EXPECT_TRUE(b.disableWorkingDirectoryOverride);

  const Step& qaz = task.steps[6];
  EXPECT_EQ(qaz.id, "build-qaz");
  EXPECT_EQ(qaz.kind, StepKind::Build);
  EXPECT_EQ(qaz.repeat, 2);
  EXPECT_TRUE(qaz.privileged);
  EXPECT_EQ(qaz.user, "root");
  EXPECT_EQ(qaz.network, "host");
  EXPECT_EQ(qaz.retryDelay, 5);
  EXPECT_EQ(qaz.timeout, 600);
  // exitedWith/exitedWithout are accepted with a warning each.
  EXPECT_TRUE(hasWarning(result, 16, 5, "'exitedWithout' has no effect"));
}

}  // namespace
}  // namespace hangar::config
