#include "runner/image_order.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hangar::runner {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

config::Step build(std::string id, std::string arguments, std::vector<std::string> when = {}) {
  config::Step s;
  s.id = std::move(id);
  s.kind = config::StepKind::Build;
  s.build = std::move(arguments);
  s.when = std::move(when);
  return s;
}

config::Step cmd(std::string id, std::string command, std::vector<std::string> when = {}) {
  config::Step s;
  s.id = std::move(id);
  s.kind = config::StepKind::Cmd;
  s.cmd = std::move(command);
  s.when = std::move(when);
  s.position = {"task.yaml", 7, 5};
  return s;
}

config::Diagnostics warningsFor(const std::vector<config::Step>& steps) {
  return unorderedImageWarnings(StepGraph::build(steps), steps);
}

TEST(ImageOrder, ACmdStepRacingTheBuildOfItsImageIsNamed) {
  // build-test-update-hello-world.yaml: two parallel builds; the run of the first one's image waits
  // for the second build only.
  const std::vector<config::Step> steps = {
      build("acb_step_0", "-t reg/hello-world:ca1 -f hello-world.dockerfile .", {"-"}),
      build("acb_step_1", "-t hello-world-test -f hello-world.dockerfile .", {"-"}),
      cmd("hello-world", "reg/hello-world:ca1"),
      cmd("func-tests", "-e test-target=hello-world hello-world-test")};
  const auto warnings = warningsFor(steps);
  ASSERT_THAT(warnings.all(), SizeIs(1)) << warnings.str();
  const auto& warning = warnings.all()[0];
  EXPECT_EQ(warning.severity, config::Severity::Warning);
  EXPECT_EQ(warning.position.str(), "task.yaml:7:5");
  EXPECT_EQ(
      warning.message,
      "step 'hello-world' runs reg/hello-world:ca1, which step 'acb_step_0' builds, without waiting for it: "
      "it may run an older image or find none; add \"acb_step_0\" to its `when` to wait for the build");
}

TEST(ImageOrder, OrderedStepsAndOtherImagesAreQuiet) {
  // Waits through a chain, runs before the build on purpose, or runs an image nobody builds here;
  // `hello` and `hello:latest` name one image.
  const std::vector<config::Step> steps = {cmd("old", "hello"),
                                           build("b", "-t hello .", {"old"}),
                                           build("other", "-t unrelated .", {"-"}),
                                           cmd("between", "busybox echo", {"b"}),
                                           cmd("new", "hello:latest"),
                                           cmd("unparsable", "--no-such-flag hello", {"-"})};
  EXPECT_THAT(warningsFor(steps).all(), SizeIs(0)) << warningsFor(steps).str();
}

TEST(ImageOrder, AParallelRunOfAnImageWithoutItsTagIsNamedWithTheDefaultTag) {
  const std::vector<config::Step> steps = {build("b", "-t app:latest .", {"-"}), cmd("run", "app", {"-"})};
  const auto warnings = warningsFor(steps);
  ASSERT_THAT(warnings.all(), SizeIs(1));
  EXPECT_THAT(warnings.all()[0].message, HasSubstr("runs app:latest, which step 'b' builds"));
}

}  // namespace
}  // namespace hangar::runner
