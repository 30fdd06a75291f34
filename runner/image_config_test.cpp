#include "runner/image_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

namespace hangar::runner {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Trimmed from a real `buildah inspect --type container` (buildah 1.28).
constexpr std::string_view kInspect = R"(WARN[0000] a warning line before the JSON
{
    "Type": "buildah 0.0.1",
    "FromImage": "localhost/bb-test:latest",
    "OCIv1": {
        "created": "2026-11-25T08:06:00Z",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Entrypoint": ["/bin/sh", "-c"],
            "Cmd": ["echo default-cmd"],
            "WorkingDir": "/data",
            "User": "1000"
        }
    },
    "Docker": {"config": {"Entrypoint": ["ignored"]}}
}
)";

TEST(ImageConfig, ReadsTheOciConfig) {
  const auto image = ImageConfig::parseInspectOutput(kInspect);
  EXPECT_THAT(image.entrypoint, ElementsAre("/bin/sh", "-c"));
  EXPECT_THAT(image.cmd, ElementsAre("echo default-cmd"));
  EXPECT_EQ(image.workingDir, "/data");
  EXPECT_EQ(image.user, "1000");
  EXPECT_THAT(image.env, ElementsAre(HasSubstr("PATH=")));
}

TEST(ImageConfig, NullAndMissingFieldsAreEmpty) {
  const auto image =
      ImageConfig::parseInspectOutput(R"({"OCIv1": {"config": {"Entrypoint": null, "Cmd": ["/hello"]}}})");
  EXPECT_TRUE(image.entrypoint.empty());
  EXPECT_THAT(image.cmd, ElementsAre("/hello"));
  EXPECT_EQ(image.workingDir, "");
}

TEST(ImageConfig, BadOutputIsAnError) {
  EXPECT_THROW(ImageConfig::parseInspectOutput("Error: container not known"), std::runtime_error);
  EXPECT_THROW(ImageConfig::parseInspectOutput("{\"Type\": 1}"), std::runtime_error);
  EXPECT_THROW(ImageConfig::parseInspectOutput("{ not json }"), std::runtime_error);
}

TEST(ComposeContainerArgv, EntrypointPlusArgumentsElseCmd) {
  ImageConfig image;
  image.entrypoint = {"/entry.sh"};
  image.cmd = {"default"};
  EXPECT_THAT(composeContainerArgv(image, std::nullopt, {}), ElementsAre("/entry.sh", "default"));
  EXPECT_THAT(composeContainerArgv(image, std::nullopt, {"a", "b"}), ElementsAre("/entry.sh", "a", "b"));
}

TEST(ComposeContainerArgv, EntrypointOverrideDropsTheImageCmd) {
  ImageConfig image;
  image.entrypoint = {"/entry.sh"};
  image.cmd = {"default"};
  EXPECT_THAT(composeContainerArgv(image, std::string("sh"), {}), ElementsAre("sh"));
  EXPECT_THAT(composeContainerArgv(image, std::string("sh"), {"-c", "ls"}), ElementsAre("sh", "-c", "ls"));
  // An empty override means no entrypoint at all (docker --entrypoint "").
  EXPECT_THAT(composeContainerArgv(image, std::string(""), {"ls"}), ElementsAre("ls"));
}

TEST(ComposeContainerArgv, CmdOnlyImages) {
  ImageConfig image;
  image.cmd = {"/hello"};
  EXPECT_THAT(composeContainerArgv(image, std::nullopt, {}), ElementsAre("/hello"));
  EXPECT_THAT(composeContainerArgv(image, std::nullopt, {"echo", "hi"}), ElementsAre("echo", "hi"));
}

TEST(ComposeContainerArgv, NothingToRunIsAnError) {
  EXPECT_THROW(composeContainerArgv(ImageConfig{}, std::nullopt, {}), std::invalid_argument);
  ImageConfig image;
  image.cmd = {"/hello"};
  EXPECT_THROW(composeContainerArgv(image, std::string(""), {}), std::invalid_argument);
}

}  // namespace
}  // namespace hangar::runner
