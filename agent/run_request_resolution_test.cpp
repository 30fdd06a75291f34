#include "agent/run_request_resolution.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/usage_error.hpp"

namespace hangar::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

config::AgentConfig sampleConfig() {
  config::AgentConfig config;
  config.stateDir = "/srv/hangar";
  config.engine.storageDriver = "overlay";
  config.mirrors["mcr.microsoft.com"] = "127.0.0.1:5000/mcr";
  config::TaskDefinition file;
  file.name = "web";
  file.file = "acr-task.yaml";
  file.context = "/src/web";
  file.registry = "myreg.azurecr.io";
  file.values = {{"env", "prod"}};
  file.timeout = 900;
  config::TaskDefinition cmd;
  cmd.name = "purge";
  cmd.kind = config::TaskKind::Cmd;
  cmd.cmd = "busybox echo hi";
  config::TaskDefinition build;
  build.name = "quick";
  build.kind = config::TaskKind::Dockerfile;
  build.dockerfile = "Dockerfile";
  build.imageNames = {"app:{{.Run.ID}}"};
  build.context = "/src/app";
  config::TaskDefinition off = cmd;
  off.name = "off";
  off.enabled = false;
  config.tasks = {file, cmd, build, off};
  return config;
}

TEST(ResolveRunOptions, AFileTaskTakesItsContextRegistryValuesAndTimeout) {
  RunRequestMessage message;
  message.task = "web";
  message.sets = {"env=staging"};
  auto options = resolveRunOptions(sampleConfig(), message);
  EXPECT_EQ(options.taskFile, "acr-task.yaml");
  EXPECT_EQ(options.taskName, "web");
  EXPECT_EQ(options.context, "/src/web");
  EXPECT_EQ(options.registry, "myreg.azurecr.io");
  EXPECT_THAT(options.sets, ElementsAre("env=prod", "env=staging"));  // the request's --set wins
  EXPECT_EQ(options.timeoutSeconds, 900);
  EXPECT_EQ(options.engine.storageDriver, "overlay");
  EXPECT_EQ(options.engine.isolation, "chroot");
  EXPECT_EQ(options.mirrors.at("mcr.microsoft.com"), "127.0.0.1:5000/mcr");
  EXPECT_EQ(options.stateDir, std::filesystem::path("/srv/hangar"));
}

TEST(ResolveRunOptions, CmdAndQuickBuildTasks) {
  RunRequestMessage message;
  message.task = "purge";
  auto options = resolveRunOptions(sampleConfig(), message);
  EXPECT_EQ(options.command, "busybox echo hi");
  EXPECT_EQ(options.context, "/dev/null");
  message.task = "quick";
  options = resolveRunOptions(sampleConfig(), message);
  ASSERT_TRUE(options.taskText);
  EXPECT_THAT(*options.taskText, HasSubstr("app:{{.Run.ID}}"));
  EXPECT_EQ(options.context, "/src/app");
}

TEST(ResolveRunOptions, AnAdHocFileAndUnknownOrDisabledTasks) {
  RunRequestMessage message;
  message.taskFile = "ci.yaml";
  message.context = "/src/x";
  message.registry = "127.0.0.1:5000";
  auto options = resolveRunOptions(sampleConfig(), message);
  EXPECT_EQ(options.taskFile, "ci.yaml");
  EXPECT_EQ(options.context, "/src/x");
  EXPECT_EQ(options.registry, "127.0.0.1:5000");
  message.task = "nope";
  EXPECT_THROW(resolveRunOptions(sampleConfig(), message), UsageError);
  message.task = "off";
  EXPECT_THROW(resolveRunOptions(sampleConfig(), message), UsageError);
}

}  // namespace
}  // namespace hangar::agent
