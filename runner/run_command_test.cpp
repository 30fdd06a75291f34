#include "runner/run_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

namespace hangar::runner {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(RunCommand, ImageThenArgumentsWithQuotesRemoved) {
  const auto command = RunCommand::parse("bash -c 'echo $(date) >> hello.txt'");
  EXPECT_TRUE(command.flags.empty());
  EXPECT_EQ(command.image, "bash");
  EXPECT_THAT(command.args, ElementsAre("-c", "echo $(date) >> hello.txt"));
}

TEST(RunCommand, DockerRunFlagsBeforeTheImage) {
  const auto command =
      RunCommand::parse("--rm -it -e A=1 --env=B=2 -w /src --entrypoint sh 127.0.0.1:5000/img:1 -c ls");
  EXPECT_THAT(
      command.flags,
      ElementsAre(DockerFlag{"--rm", std::nullopt}, DockerFlag{"--interactive", std::nullopt},
                  DockerFlag{"--tty", std::nullopt}, DockerFlag{"--env", "A=1"}, DockerFlag{"--env", "B=2"},
                  DockerFlag{"--workdir", "/src"}, DockerFlag{"--entrypoint", "sh"}));
  EXPECT_EQ(command.image, "127.0.0.1:5000/img:1");
  EXPECT_THAT(command.args, ElementsAre("-c", "ls"));
}

TEST(RunCommand, FlagsAfterTheImageBelongToTheCommand) {
  const auto command = RunCommand::parse("curl --url http://nginx -e x --env A=1");
  EXPECT_EQ(command.image, "curl");
  EXPECT_THAT(command.args, ElementsAre("--url", "http://nginx", "-e", "x", "--env", "A=1"));
  EXPECT_THAT(command.misplacedFlags(), ElementsAre("--env"));
  EXPECT_THAT(RunCommand::parse("bash -e -c 'set -e'").misplacedFlags(), IsEmpty());
}

TEST(RunCommand, Errors) {
  auto errorOf = [](std::string_view cmd) -> std::string {
    try {
      RunCommand::parse(cmd);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_THAT(errorOf(""), HasSubstr("cmd: no image given"));
  EXPECT_THAT(errorOf("--rm"), HasSubstr("cmd: no image given"));
  EXPECT_THAT(errorOf("--bogus img"), HasSubstr("cmd: unknown flag: --bogus"));
  EXPECT_THAT(errorOf("-e"), HasSubstr("cmd: flag needs an argument: -e"));
  EXPECT_THAT(errorOf("bash -c 'unterminated"), HasSubstr("cmd: "));
}

}  // namespace
}  // namespace hangar::runner
