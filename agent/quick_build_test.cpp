#include "agent/quick_build.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "runner/shell_words.hpp"

namespace hangar::agent {
namespace {

TEST(QualifyImage, PrependsTheRegistryOnlyWhenTheImageNamesNone) {
  EXPECT_EQ(qualifyImage("hello:1", "reg.azurecr.io"), "reg.azurecr.io/hello:1");
  EXPECT_EQ(qualifyImage("team/hello", "reg.azurecr.io"), "reg.azurecr.io/team/hello");
  EXPECT_EQ(qualifyImage("other.io/hello", "reg.azurecr.io"), "other.io/hello");
  EXPECT_EQ(qualifyImage("127.0.0.1:5000/hello", "reg.azurecr.io"), "127.0.0.1:5000/hello");
  EXPECT_EQ(qualifyImage("localhost/hello", "reg.azurecr.io"), "localhost/hello");
  EXPECT_EQ(qualifyImage("hello", ""), "hello");
}

TEST(QuickBuildTaskText, IsABuildStepThenAPushOfEveryTag) {
  QuickBuild build;
  build.tags = {"app:{{.Run.ID}}", "app:latest"};
  build.dockerfile = "docker/My File";
  build.buildArgs = {"GREETING=hello world"};
  build.registry = "127.0.0.1:5000";
  YAML::Node task = YAML::Load(quickBuildTaskText(build));
  EXPECT_EQ(task["version"].as<std::string>(), "v1.1.0");
  ASSERT_EQ(task["steps"].size(), 2u);
  std::vector<std::string> expected = {"-t",
                                       "127.0.0.1:5000/app:{{.Run.ID}}",
                                       "-t",
                                       "127.0.0.1:5000/app:latest",
                                       "-f",
                                       "docker/My File",
                                       "--build-arg",
                                       "GREETING=hello world",
                                       "."};
  EXPECT_EQ(runner::splitShellWords(task["steps"][0]["build"].as<std::string>()), expected);
  ASSERT_EQ(task["steps"][1]["push"].size(), 2u);
  EXPECT_EQ(task["steps"][1]["push"][0].as<std::string>(), "127.0.0.1:5000/app:{{.Run.ID}}");
}

TEST(QuickBuildTaskText, NoPushLeavesOnlyTheBuild) {
  QuickBuild build;
  build.tags = {"app"};
  build.push = false;
  YAML::Node task = YAML::Load(quickBuildTaskText(build));
  EXPECT_EQ(task["steps"].size(), 1u);
}

}  // namespace
}  // namespace hangar::agent
