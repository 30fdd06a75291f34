#include "runner/build_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

namespace hangar::runner {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string errorOf(std::string_view arguments) {
  try {
    BuildCommand::parse(arguments);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(BuildCommand, DockerOrderWithTheContextInTheMiddle) {
  // azure-samples/simpletask.yaml: valid for docker, rejected by buildah as written.
  const auto command = BuildCommand::parse("-t 127.0.0.1:5000/hello-world:cf1 . -f hello-world.dockerfile");
  EXPECT_EQ(command.context, ".");
  EXPECT_THAT(command.tags(), ElementsAre("127.0.0.1:5000/hello-world:cf1"));
  EXPECT_EQ(command.dockerfile(), "hello-world.dockerfile");
}

TEST(BuildCommand, ContextDefaultsToDot) {
  EXPECT_EQ(BuildCommand::parse("-t x").context, ".");
  EXPECT_EQ(BuildCommand::parse("").context, ".");
}

TEST(BuildCommand, RemoteContextAfterABooleanFlag) {
  // B6: acb misses the context after a boolean flag.
  const auto command =
      BuildCommand::parse("--no-cache https://github.com/Azure-Samples/acr-build-helloworld-node.git#main");
  EXPECT_EQ(command.context, "https://github.com/Azure-Samples/acr-build-helloworld-node.git#main");
}

TEST(BuildCommand, ValuesOfRepeatedFlags) {
  const auto command = BuildCommand::parse(
      "-f Dockerfile -t a:1 --tag=a:2 --build-arg X=1 --build-arg \"Y=two words\" --target final "
      "--file=other .");
  EXPECT_THAT(command.tags(), ElementsAre("a:1", "a:2"));
  EXPECT_THAT(command.buildArgs(), ElementsAre("X=1", "Y=two words"));
  EXPECT_EQ(command.target(), "final");
  EXPECT_EQ(command.dockerfile(), "other");
}

TEST(BuildCommand, InlineValueFormsOfTheConformanceFiles) {
  const auto command =
      BuildCommand::parse("-f Dockerfile https://github.com/ehotinger/qaz --cache-from=ubuntu");
  EXPECT_EQ(command.context, "https://github.com/ehotinger/qaz");
  EXPECT_THAT(command.flags,
              ElementsAre(DockerFlag{"--file", "Dockerfile"}, DockerFlag{"--cache-from", "ubuntu"}));
}

TEST(BuildCommand, QuotesAreRemovedAndNothingIsExpanded) {
  const auto command = BuildCommand::parse("--build-arg 'A=$HOME' --label \"k=$(id)\" .");
  EXPECT_THAT(command.buildArgs(), ElementsAre("A=$HOME"));
}

TEST(BuildCommand, ErrorsSayBuild) {
  EXPECT_THAT(errorOf("-t x . other"), HasSubstr("build: expected one build context, got 2: '.', 'other'"));
  EXPECT_THAT(errorOf("--frobnicate ."), HasSubstr("build: unknown flag: --frobnicate"));
  EXPECT_THAT(errorOf("-t"), HasSubstr("build: flag needs an argument: -t"));
  EXPECT_THAT(errorOf("-t 'x ."), HasSubstr("build: "));
}

TEST(BuildCommand, EveryDockerBuildFlagIsKnown) {
  // The flags users write most, each with its kind.
  for (const auto* name : {"--tag", "--file", "--build-arg", "--target", "--platform", "--label", "--network",
                           "--add-host", "--secret", "--ssh", "--cache-from", "--iidfile", "--memory"}) {
    EXPECT_EQ(errorOf(std::string(name) + " v ."), "") << name;
  }
  for (const auto* name :
       {"--no-cache", "--pull", "--quiet", "--rm", "--force-rm", "--squash", "--compress"}) {
    EXPECT_EQ(BuildCommand::parse(std::string(name) + " ctx").context, "ctx") << name;
  }
}

}  // namespace
}  // namespace hangar::runner
