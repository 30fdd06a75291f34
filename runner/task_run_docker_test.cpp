// runTask with the docker engine, through the fake launcher: the docker CLI builds, pushes and runs the
// steps (no buildah call), secrets reach the container only through the --env-file, and every container
// is removed with `docker rm -f`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "runner/task_run_test_helper.hpp"

namespace hangar::runner {
namespace {

using namespace test_helper;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class DockerTaskRun : public TaskRunTest {
 protected:
  DockerTaskRun() {
    request.engine.kind = "docker";
    request.engine.binary = "docker";
  }
};

std::string argsOf(const ProcessSpec& spec) {
  std::string text;
  for (const auto& arg : spec.argv) text += arg + " ";
  return text;
}

TEST_F(DockerTaskRun, BuildPushAndRunGoThroughTheDockerCli) {
  const std::string digest = "sha256:" + std::string(64, 'b');
  request.secretValues = {"s3cret-value"};
  auto cmd = cmdStep("c", "127.0.0.1:5000/hello:1 echo hi");
  cmd.env = {"TOKEN=s3cret-value", "PLAIN=1"};
  request.task.steps = {buildStep("b", "-t 127.0.0.1:5000/hello:1 ."),
                        pushStep("p", {"127.0.0.1:5000/hello:1"}), cmd};
  std::string envFileText;
  launcher.script = [&](const ProcessSpec& spec) -> Reply {
    if (spec.argv.size() > 1 && spec.argv[1] == "push")
      return exits(0, "1: digest: " + digest + " size: 528\n");
    if (spec.argv.size() > 1 && spec.argv[1] == "run") {
      std::ifstream in(argAfter(spec, "--env-file"));
      std::stringstream text;
      text << in.rdbuf();
      envFileText = text.str();
    }
    return exits(0);
  };
  const auto record = run();

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error;
  std::vector<std::string> verbs;
  for (const auto& spec : launcher.specs()) {
    ASSERT_EQ(spec.argv.at(0), "docker") << argsOf(spec);  // never buildah
    EXPECT_THAT(argsOf(spec), Not(HasSubstr("s3cret-value")));
    EXPECT_THAT(spec.env.at("DOCKER_CONFIG"), HasSubstr("docker"));
    verbs.push_back(spec.argv.at(1));
  }
  EXPECT_THAT(verbs, Contains("build"));
  EXPECT_THAT(verbs, Contains("push"));
  EXPECT_THAT(verbs, Contains("run"));
  EXPECT_THAT(verbs, Contains("rm"));
  EXPECT_EQ(envFileText, "TOKEN=s3cret-value\nPLAIN=1\n");
  ASSERT_EQ(record.outputImages.size(), 1u);
  EXPECT_EQ(record.outputImages[0].digest, digest);
  EXPECT_EQ(record.outputImages[0].repository, "hello");
  // The env file is gone once the step ended; the run directory too, once the run ended.
  EXPECT_FALSE(fs::exists(runDir()));
}

TEST_F(DockerTaskRun, AFailingContainerFailsTheStepAndIsRemoved) {
  request.task.steps = {cmdStep("c", "img sh -c 'exit 3'")};
  launcher.script = [&](const ProcessSpec& spec) -> Reply {
    return spec.argv.size() > 1 && spec.argv[1] == "run" ? exits(3) : exits(0);
  };
  const auto record = run();

  EXPECT_EQ(record.status, RunStatus::Failed);
  EXPECT_EQ(record.steps[0].status, StepStatus::Failed);
  const auto specs = launcher.specs();
  ASSERT_FALSE(specs.empty());
  EXPECT_THAT(specs.back().argv, ElementsAre("docker", "rm", "-f", argAfter(specs.front(), "--name")));
}

TEST_F(DockerTaskRun, ADetachedContainersOutputIsFollowedUntilTheRunEnds) {
  auto server = cmdStep("web", "nginx");
  server.detach = true;
  request.task.steps = {server, cmdStep("client", "curl http://web")};
  std::string webName;
  launcher.script = [&](const ProcessSpec& spec) -> Reply {
    if (spec.argv.size() > 1 && spec.argv[1] == "run" && stepOf(argAfter(spec, "--name")) == "web") {
      webName = argAfter(spec, "--name");
      EXPECT_THAT(spec.argv, Contains("--detach"));
      return exits(0, "0123abcd\n");  // the client prints the container id and returns
    }
    if (spec.argv.size() > 1 && spec.argv[1] == "logs") return Reply{0, "server started\n", true};
    return exits(0);
  };
  const auto record = run();

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error;
  EXPECT_EQ(record.steps[0].status, StepStatus::Successful);
  EXPECT_EQ(record.steps[1].status, StepStatus::Successful);
  EXPECT_THAT(log.outputOf("web"), HasSubstr("server started\n"));
  EXPECT_THAT(log.text(), HasSubstr("<finished web>"));
  // The follower started after the container, and the container was removed once the run ended.
  const auto specs = launcher.specs();
  std::vector<std::string> webCommands;
  for (const auto& spec : specs) {
    if (std::find(spec.argv.begin(), spec.argv.end(), webName) != spec.argv.end())
      webCommands.push_back(spec.argv[1]);
  }
  EXPECT_THAT(webCommands, ElementsAre("run", "logs", "rm"));
  EXPECT_THAT(specs.back().argv, ElementsAre("docker", "rm", "-f", webName));
}

}  // namespace
}  // namespace hangar::runner
