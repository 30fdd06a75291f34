#include "config/task_validation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/parse_test_helper.hpp"

namespace hangar::config {
namespace {

using ::testing::ElementsAre;
using testing::errorCount;
using testing::hasError;
using testing::parse;
using testing::parseValid;

TEST(TaskValidation, DuplicateGivenIds) {
  auto result = parse("steps:\n  - id: a\n    cmd: x\n  - id: a\n    cmd: y\n");
  EXPECT_TRUE(hasError(result, 4, 9, "duplicate step id 'a' (already used by the step at line 2)"));
  EXPECT_EQ(errorCount(result), 1u);
}

TEST(TaskValidation, GivenIdClashingWithAnEarlierGeneratedId) {
  auto result = parse("steps:\n  - cmd: x\n  - id: acb_step_0\n    cmd: y\n");
  EXPECT_TRUE(hasError(result, 3, 9,
                       "step id 'acb_step_0' clashes with the id generated for the step without an id"));
}

TEST(TaskValidation, GeneratedIdClashingWithAnEarlierGivenId) {
  auto result = parse("steps:\n  - id: acb_step_1\n    cmd: x\n  - cmd: y\n");
  EXPECT_TRUE(
      hasError(result, 4, 5, "this step has no id and its generated id 'acb_step_1' is already used"));
}

TEST(TaskValidation, WhenNamingAnUnknownStep) {
  auto result = parse("steps:\n  - id: build-foo\n    cmd: x\n  - cmd: y\n    when: [build-fo]\n");
  EXPECT_TRUE(hasError(result, 5, 12,
                       "'when' names step 'build-fo', which does not exist; 'when' must name steps "
                       "defined before this one (did you mean 'build-foo'?)"));
}

TEST(TaskValidation, WhenNamingALaterStep) {
  auto result = parse("steps:\n  - id: a\n    cmd: x\n    when: [b]\n  - id: b\n    cmd: y\n");
  EXPECT_TRUE(hasError(result, 4, 12,
                       "'when' names step 'b', which is defined later (at line 5); a step can only "
                       "wait for steps defined before it in the file"));
}

TEST(TaskValidation, WhenMayNameGeneratedAndEarlierIds) {
  Task task = parseValid(
      "steps:\n  - cmd: x\n  - id: b\n    cmd: y\n    when: [\"-\"]\n  - cmd: z\n    when: [acb_step_0, "
      "b]\n");
  EXPECT_THAT(task.steps[2].when, ElementsAre("acb_step_0", "b"));
  EXPECT_THAT(task.steps[1].when, ElementsAre("-"));
}

TEST(TaskValidation, MountOfAnUndeclaredVolume) {
  auto result = parse(R"(volumes:
  - name: secrets
    secret: {f: aGk=}
steps:
  - cmd: x
    volumeMounts:
      - name: secret
        mountPath: /run/s
      - name: secrets
        mountPath: /run/t
)");
  EXPECT_TRUE(hasError(result, 7, 15,
                       "volume mount names volume 'secret', which is not declared in the task's "
                       "'volumes' (did you mean 'secrets'?)"));
  EXPECT_EQ(errorCount(result), 1u);
}

}  // namespace
}  // namespace hangar::config
