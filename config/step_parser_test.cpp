#include "config/step_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/parse_test_helper.hpp"

namespace hangar::config {
namespace {

using ::testing::ElementsAre;
using testing::errorCount;
using testing::hasError;
using ::testing::HasSubstr;
using testing::hasWarning;
using ::testing::IsEmpty;
using testing::parse;
using testing::parseValid;

TEST(StepParser, ReadsEveryCmdStepKey) {
  Task task = parseValid(R"(volumes:
  - name: vol
    secret: {f: aGk=}
steps:
  - id: first
    cmd: busybox echo hi
  - id: main
    when: [first]
    cmd: busybox sh -c 'echo $X'
    timeout: 30
    startDelay: 2
    retries: 3
    retryDelay: 7
    retryOnErrors: [flaky, "i/o timeout"]
    repeat: 1
    ignoreErrors: true
    detach: true
    keep: true
    entryPoint: /bin/sh
    env: [X=1]
    expose: [80, "81"]
    ports: ["8080:80"]
    privileged: true
    user: "1000:1000"
    network: host
    isolation: default
    cpus: 2
    workingDirectory: sub/dir
    disableWorkingDirectoryOverride: true
    pull: true
    cmdDownloadRetries: 4
    cmdDownloadRetryDelay: 9
    volumeMounts:
      - name: vol
        mountPath: /run/v
)");
  ASSERT_EQ(task.steps.size(), 2u);
  const Step& s = task.steps[1];
  EXPECT_EQ(s.id, "main");
  EXPECT_TRUE(s.idGiven);
  EXPECT_EQ(s.kind, StepKind::Cmd);
  EXPECT_EQ(s.cmd, "busybox sh -c 'echo $X'");
  EXPECT_THAT(s.when, ElementsAre("first"));
  EXPECT_EQ(s.timeout, 30);
  EXPECT_EQ(s.startDelay, 2);
  EXPECT_EQ(s.retries, 3);
  EXPECT_EQ(s.retryDelay, 7);
  EXPECT_THAT(s.retryOnErrors, ElementsAre("flaky", "i/o timeout"));
  EXPECT_EQ(s.repeat, 1);
  EXPECT_TRUE(s.ignoreErrors);
  EXPECT_TRUE(s.detach);
  EXPECT_TRUE(s.keep);
  EXPECT_EQ(s.entryPoint, "/bin/sh");
  EXPECT_THAT(s.env, ElementsAre("X=1"));
  EXPECT_THAT(s.expose, ElementsAre("80", "81"));
  EXPECT_THAT(s.ports, ElementsAre("8080:80"));
  EXPECT_TRUE(s.privileged);
  EXPECT_EQ(s.user, "1000:1000");
  EXPECT_EQ(s.network, "host");
  EXPECT_EQ(s.isolation, "default");
  EXPECT_EQ(s.cpus, "2");
  EXPECT_EQ(s.workingDirectory, "sub/dir");
  EXPECT_TRUE(s.disableWorkingDirectoryOverride);
  EXPECT_TRUE(s.pull);
  EXPECT_EQ(s.cmdDownloadRetries, 4);
  EXPECT_EQ(s.cmdDownloadRetryDelay, 9);
  ASSERT_EQ(s.volumeMounts.size(), 1u);
  EXPECT_EQ(s.volumeMounts[0].name, "vol");
  EXPECT_EQ(s.volumeMounts[0].mountPath, "/run/v");
  EXPECT_EQ(s.position.line, 7);
  EXPECT_EQ(s.position.column, 5);
  EXPECT_EQ(s.position.file, "acb.yaml");
}

TEST(StepParser, AppliesStepDefaults) {
  Task task = parseValid("stepTimeout: 42\nsteps:\n  - cmd: x\n    retryDelay: -3\n  - build: .\n");
  const Step& s = task.steps[0];
  EXPECT_EQ(s.id, "acb_step_0");
  EXPECT_FALSE(s.idGiven);
  EXPECT_EQ(task.steps[1].id, "acb_step_1");
  EXPECT_THAT(s.when, IsEmpty());
  EXPECT_EQ(s.timeout, 42);
  EXPECT_EQ(s.startDelay, 0);
  EXPECT_EQ(s.retries, 0);
  EXPECT_EQ(s.retryDelay, 5);  // 0 or less becomes 5, as in acr-builder
  EXPECT_EQ(task.steps[1].retryDelay, 5);
  EXPECT_EQ(s.repeat, 0);
  EXPECT_FALSE(s.ignoreErrors || s.detach || s.keep || s.privileged || s.pull || s.cache ||
               s.disableWorkingDirectoryOverride);
  EXPECT_EQ(s.entryPoint, "");
  EXPECT_EQ(s.user, "");
  EXPECT_EQ(s.network, "");
  EXPECT_EQ(s.workingDirectory, "");
  EXPECT_EQ(s.cmdDownloadRetries, 0);
  EXPECT_THAT(s.env, IsEmpty());
  EXPECT_THAT(s.volumeMounts, IsEmpty());
}

TEST(StepParser, BuildAndPushSteps) {
  Task task = parseValid(R"(steps:
  - build: -t app:1 .
    cache: Enabled
  - build: -t app:2 .
    cache: DISABLED
  - push:
    - app:1
    - registry:5000/app
    - registry:5000/team/app:2
    - app@sha256:0123
    - app:1
    - - nested/one
      - - nested/two:tag
  - push: single/image
)");
  EXPECT_EQ(task.steps[0].kind, StepKind::Build);
  EXPECT_EQ(task.steps[0].build, "-t app:1 .");
  EXPECT_TRUE(task.steps[0].cache);
  EXPECT_FALSE(task.steps[1].cache);
  EXPECT_EQ(task.steps[2].kind, StepKind::Push);
  EXPECT_THAT(task.steps[2].push, ElementsAre("app:1", "registry:5000/app:latest", "registry:5000/team/app:2",
                                              "app@sha256:0123", "nested/one:latest", "nested/two:tag"));
  EXPECT_THAT(task.steps[3].push, ElementsAre("single/image:latest"));
}

TEST(StepParser, WithDefaultTag) {
  EXPECT_EQ(withDefaultTag("hello"), "hello:latest");
  EXPECT_EQ(withDefaultTag("hello:v1"), "hello:v1");
  EXPECT_EQ(withDefaultTag("localhost:5000/hello"), "localhost:5000/hello:latest");
  EXPECT_EQ(withDefaultTag("localhost:5000/hello:v2"), "localhost:5000/hello:v2");
  EXPECT_EQ(withDefaultTag("hello@sha256:abc"), "hello@sha256:abc");
  EXPECT_EQ(withDefaultTag("$Registry/hello-world:$ID"), "$Registry/hello-world:$ID");
}

TEST(StepParser, LiteralAndFoldedCmd) {
  Task task = parseValid("steps:\n  - cmd: >-\n      a\n      b\n  - cmd: |\n      a\n      b\n");
  EXPECT_EQ(task.steps[0].cmd, "a b");
  EXPECT_EQ(task.steps[1].cmd, "a\nb\n");
}

TEST(StepParser, BothBuildAndCmdIsAnError) {
  auto result = parse("steps:\n  - build: .\n    cmd: x\n");
  EXPECT_TRUE(hasError(result, 3, 5, "step 'acb_step_0' has both 'build' and 'cmd'"));
  EXPECT_TRUE(hasError(parse("steps:\n  - push: [a]\n    build: .\n"), 3, 5, "has both 'push' and 'build'"));
}

TEST(StepParser, NoneOfBuildPushCmdIsAnError) {
  auto result = parse("steps:\n  - cmd: x\n  - id: lonely\n    timeout: 5\n  - cmd: \"\"\n");
  EXPECT_TRUE(hasError(result, 3, 5, "step 'lonely' has no 'cmd', 'build' or 'push'"));
  EXPECT_TRUE(hasError(result, 5, 5, "step 'acb_step_2' has no 'cmd', 'build' or 'push'"));
  EXPECT_TRUE(hasError(parse("steps:\n  - just a string\n"), 2, 5, "each step must be a map"));
  EXPECT_TRUE(hasError(parse("steps:\n  - cmd: x\n  -\n"), 2, 3,
                       "each step must be a map of properties such as "
                       "'cmd: ...', got nothing"));
}

TEST(StepParser, NegativeCountsAreErrors) {
  auto result = parse(R"(steps:
  - cmd: x
    retries: -1
    repeat: -1
    timeout: -10
    startDelay: -1
    cmdDownloadRetries: -1
    cmdDownloadRetryDelay: -1
)");
  EXPECT_TRUE(hasError(result, 3, 14, "'retries' must be 0 or more, got -1"));
  EXPECT_TRUE(hasError(result, 4, 13, "'repeat' must be 0 or more, got -1"));
  EXPECT_TRUE(hasError(result, 5, 14, "'timeout' must be 0 or more, got -10"));
  EXPECT_TRUE(hasError(result, 6, 17, "'startDelay' must be 0 or more"));
  EXPECT_TRUE(hasError(result, 7, 25, "'cmdDownloadRetries' must be 0 or more"));
  EXPECT_TRUE(hasError(result, 8, 28, "'cmdDownloadRetryDelay' must be 0 or more"));
  EXPECT_EQ(errorCount(result), 6u);
}

TEST(StepParser, InvalidCacheValue) {
  EXPECT_TRUE(hasError(parse("steps:\n  - build: .\n    cache: yes\n"), 3, 12,
                       "invalid value 'yes' for 'cache': use 'enabled' or 'disabled'"));
}

TEST(StepParser, InvalidIds) {
  auto result =
      parse("steps:\n  - id: my step\n    cmd: x\n  - id: acb_root\n    cmd: y\n  - id: \"-\"\n    cmd: z\n");
  EXPECT_TRUE(hasError(result, 2, 9, "step id 'my step' must not contain spaces"));
  EXPECT_TRUE(hasError(result, 4, 9, "step id 'acb_root' is reserved"));
  EXPECT_TRUE(hasError(result, 6, 9, "step id '-' is reserved"));
}

TEST(StepParser, EnvEntriesWithoutEquals) {
  auto result = parse("steps:\n  - cmd: x\n    env:\n      - OK=1\n      - SECRETVALUE\n");
  EXPECT_TRUE(hasError(result, 5, 9, "env entries must have the form NAME=VALUE; this one has no '='"));
  EXPECT_THAT(result.diagnostics.str(), ::testing::Not(HasSubstr("SECRETVALUE")));
}

TEST(StepParser, VolumeMountErrors) {
  auto result = parse(R"(volumes:
  - name: vol
    secret: {f: aGk=}
steps:
  - cmd: x
    volumeMounts:
      - name: vol
        mountPath: /run/a
      - name: vol
        mountPath: /run/a
      - name: vol
      - mountPath: /run/b
      - name: vol
        mountPath: relative
        readOnly: true
  - push: [img]
    volumeMounts:
      - name: vol
        mountPath: /x
)");
  EXPECT_TRUE(
      hasError(result, 10, 20, "mountPath '/run/a' is already used by another mount of this step (line 8)"));
  EXPECT_TRUE(hasError(result, 11, 9, "needs a 'mountPath'"));
  EXPECT_TRUE(hasError(result, 12, 9, "needs a 'name'"));
  EXPECT_TRUE(hasError(result, 14, 20, "mountPath 'relative' must be an absolute path"));
  EXPECT_TRUE(hasError(result, 15, 9, "unknown key 'readOnly' in a volumeMounts entry"));
  EXPECT_TRUE(hasError(result, 17, 5, "'volumeMounts' can only be used by 'cmd' and 'build' steps"));
  EXPECT_EQ(errorCount(result), 6u);
}

TEST(StepParser, WhenSyntaxErrors) {
  auto result = parse(R"(steps:
  - id: a
    cmd: x
  - id: b
    cmd: y
    when: ["-", "a"]
  - id: c
    cmd: z
    when: [a, c]
  - cmd: w
    when: [""]
)");
  EXPECT_TRUE(
      hasError(result, 6, 11, "'-' in 'when' means \"start at once\" and cannot be combined with step ids"));
  EXPECT_TRUE(hasError(result, 9, 15, "step 'c' cannot wait for itself in 'when'"));
  EXPECT_TRUE(hasError(result, 11, 12, "'when' entries must be step ids or '-'"));
  EXPECT_EQ(errorCount(result), 3u);
}

TEST(StepParser, UnknownStepKeyWithSuggestion) {
  auto result = parse("steps:\n  - cmd: x\n    timout: 5\n    downloadRetries: 2\n    Privileged: true\n");
  EXPECT_TRUE(hasError(result, 3, 5, "unknown key 'timout' in a step (did you mean 'timeout'?)"));
  EXPECT_TRUE(hasError(result, 4, 5, "(did you mean 'cmdDownloadRetries'?)"));
  EXPECT_TRUE(hasError(result, 5, 5, "(did you mean 'privileged'?)"));
  EXPECT_TRUE(hasError(parse("steps:\n  - cmd: x\n    cmd: y\n"), 3, 5, "duplicate key 'cmd' in a step"));
}

TEST(StepParser, WrongTypes) {
  EXPECT_TRUE(hasError(parse("steps:\n  - cmd: x\n    retries: many\n"), 3, 14,
                       "'retries' must be an integer, got 'many'"));
  EXPECT_TRUE(hasError(parse("steps:\n  - cmd: x\n    timeout: \"30\"\n"), 3, 14, "without quotes"));
  EXPECT_TRUE(hasError(parse("steps:\n  - cmd: x\n    when: first\n"), 3, 11, "'when' must be a list"));
  EXPECT_TRUE(hasError(parse("steps:\n  - cmd: x\n    privileged: \"yes\"\n"), 3, 17,
                       "'privileged' must be true or false"));
  EXPECT_TRUE(hasError(parse("steps:\n  - cmd: {a: b}\n"), 2, 10, "'cmd' must be a string, got a map"));
  EXPECT_TRUE(hasError(parse("steps:\n  - cmd: x\n    env: {A: 1}\n"), 3, 10, "'env' must be a list"));
  EXPECT_TRUE(hasError(parse("steps:\n  - cmd: x\n    ports: [[1]]\n"), 3, 13,
                       "each entry of 'ports' must be a string"));
  EXPECT_TRUE(hasError(parse("steps:\n  - cmd: x\n    exitedWith: [0, one]\n"), 3, 21,
                       "each entry of 'exitedWith' must be an integer"));
  EXPECT_TRUE(hasError(parse("steps:\n  - push: {a: b}\n"), 2, 11, "'push' must be a list"));
  EXPECT_TRUE(hasError(parse("steps:\n  - cmd: x\n    volumeMounts: {name: v}\n"), 3, 19,
                       "'volumeMounts' must be a list"));
}

TEST(StepParser, NullValuesReadAsAbsent) {
  Task task = parseValid("steps:\n  - cmd: x\n    id:\n    timeout:\n    env:\n    when:\n");
  EXPECT_EQ(task.steps[0].id, "acb_step_0");
  EXPECT_EQ(task.steps[0].timeout, 600);
}

TEST(StepParser, IgnoredKeysWarn) {
  auto result = parse(R"(steps:
  - cmd: x
    exitedWith: [0, 1]
    exitedWithout: [2]
    secret: {id: s}
)");
  ASSERT_TRUE(result.task.has_value()) << result.diagnostics.str();
  EXPECT_TRUE(hasWarning(result, 3, 5, "'exitedWith' has no effect"));
  EXPECT_TRUE(hasWarning(result, 4, 5, "'exitedWithout' has no effect"));
  EXPECT_TRUE(hasWarning(result, 5, 5, "'secret' is not a step property and has no effect"));
  EXPECT_THAT(result.task->steps[0].exitedWith, ElementsAre(0, 1));
  EXPECT_THAT(result.task->steps[0].exitedWithout, ElementsAre(2));
}

TEST(StepParser, KeysWithoutEffectOnTheStepKindWarn) {
  auto result = parse(R"(steps:
  - push: [img]
    retries: 2
    env: [A=1]
  - build: .
    entryPoint: sh
    pull: true
    retries: 2
  - cmd: x
    cache: enabled
)");
  ASSERT_TRUE(result.task.has_value()) << result.diagnostics.str();
  EXPECT_TRUE(hasWarning(result, 3, 5, "'retries' has no effect on a push step"));
  EXPECT_TRUE(hasWarning(result, 4, 5, "'env' has no effect on a push step"));
  EXPECT_TRUE(hasWarning(result, 6, 5, "'entryPoint' has no effect on a build step"));
  EXPECT_TRUE(hasWarning(result, 7, 5, "'pull' has no effect on a build step"));
  EXPECT_TRUE(hasWarning(result, 10, 5, "'cache' has no effect on a cmd step"));
  EXPECT_EQ(result.diagnostics.all().size(), 5u) << result.diagnostics.str();
}

}  // namespace
}  // namespace hangar::config
