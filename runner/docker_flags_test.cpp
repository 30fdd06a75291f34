#include "runner/docker_flags.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <stdexcept>

namespace hangar::runner {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::array kSpecs = {
    DockerFlagSpec{"--tag", 't', true},
    DockerFlagSpec{"--env", 'e', true},
    DockerFlagSpec{"--interactive", 'i', false},
    DockerFlagSpec{"--tty", 0, false},
    DockerFlagSpec{"--rm", 0, false},
    DockerFlagSpec{"--detach", 'd', false},
};

DockerArguments parse(std::vector<std::string> words, bool interspersed = true) {
  return parseDockerArguments(words, kSpecs, interspersed);
}

std::string errorOf(std::vector<std::string> words) {
  try {
    parse(std::move(words));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(DockerFlags, LongFlagsTakeTheNextWordOrTheInlineValue) {
  const auto args = parse({"--tag", "a", "--tag=b", "--rm", "--rm=false", "ctx"});
  EXPECT_THAT(args.flags, ElementsAre(DockerFlag{"--tag", "a"}, DockerFlag{"--tag", "b"},
                                      DockerFlag{"--rm", std::nullopt}, DockerFlag{"--rm", "false"}));
  EXPECT_THAT(args.positionals, ElementsAre("ctx"));
}

TEST(DockerFlags, ShortFlagsAreReportedUnderTheirLongName) {
  const auto args = parse({"-t", "a", "-tb", "-t=c"});
  EXPECT_THAT(args.flags,
              ElementsAre(DockerFlag{"--tag", "a"}, DockerFlag{"--tag", "b"}, DockerFlag{"--tag", "c"}));
}

TEST(DockerFlags, BooleanClustersMayEndInAValueFlag) {
  const auto args = parse({"-id", "-ie", "K=V", "-ieX=Y"});
  EXPECT_THAT(args.flags,
              ElementsAre(DockerFlag{"--interactive", std::nullopt}, DockerFlag{"--detach", std::nullopt},
                          DockerFlag{"--interactive", std::nullopt}, DockerFlag{"--env", "K=V"},
                          DockerFlag{"--interactive", std::nullopt}, DockerFlag{"--env", "X=Y"}));
}

TEST(DockerFlags, InterspersedFlagsMayFollowPositionals) {
  const auto args = parse({"--tag", "x", ".", "--env", "A=1"});
  EXPECT_THAT(args.positionals, ElementsAre("."));
  EXPECT_EQ(args.flags.size(), 2u);
}

TEST(DockerFlags, WithoutInterspersingTheFirstPositionalEndsTheFlags) {
  const auto args = parse({"--rm", "image", "--tag", "x", "-e"}, false);
  EXPECT_THAT(args.flags, ElementsAre(DockerFlag{"--rm", std::nullopt}));
  EXPECT_THAT(args.positionals, ElementsAre("image", "--tag", "x", "-e"));
}

TEST(DockerFlags, DoubleDashEndsFlagsAndSingleDashIsPositional) {
  const auto args = parse({"-", "--", "--tag"});
  EXPECT_TRUE(args.flags.empty());
  EXPECT_THAT(args.positionals, ElementsAre("-", "--tag"));
}

TEST(DockerFlags, ErrorsNameTheFlag) {
  EXPECT_THAT(errorOf({"--nope", "x"}), HasSubstr("unknown flag: --nope"));
  EXPECT_THAT(errorOf({"--nope=1"}), HasSubstr("unknown flag: --nope"));
  EXPECT_THAT(errorOf({"-z"}), HasSubstr("unknown shorthand flag: 'z' in -z"));
  EXPECT_THAT(errorOf({"-iz"}), HasSubstr("'z' in -iz"));
  EXPECT_THAT(errorOf({"--tag"}), HasSubstr("flag needs an argument: --tag"));
  EXPECT_THAT(errorOf({"x", "-t"}), HasSubstr("flag needs an argument: -t"));
}

}  // namespace
}  // namespace hangar::runner
