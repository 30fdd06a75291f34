#include "runner/container_secret_env.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {

using ::testing::ElementsAre;

bool holdsS3cret(std::string_view value) { return value.find("s3cret") != std::string_view::npos; }

TEST(SplitSecretEnv, OnlyValuesHoldingASecretAreHidden) {
  const auto split = splitSecretEnv({"A=1", "TOKEN=x-s3cret-y", "B=", "NOEQUALS"}, holdsS3cret);
  EXPECT_THAT(split.onArgv, ElementsAre("A=1", "B=", "NOEQUALS"));
  EXPECT_THAT(split.hidden, ElementsAre("TOKEN=x-s3cret-y"));
}

TEST(SplitSecretEnv, TheLastEntryOfAKeyDecides) {
  // The secret is overridden by a plain value: nothing hidden, and the secret is not passed at all.
  auto split = splitSecretEnv({"T=s3cret", "A=1", "T=plain"}, holdsS3cret);
  EXPECT_THAT(split.onArgv, ElementsAre("A=1", "T=plain"));
  EXPECT_TRUE(split.hidden.empty());
  // A plain value overridden by a secret: only the secret, hidden.
  split = splitSecretEnv({"T=plain", "T=s3cret"}, holdsS3cret);
  EXPECT_TRUE(split.onArgv.empty());
  EXPECT_THAT(split.hidden, ElementsAre("T=s3cret"));
}

TEST(BuildahContainerConfig, PathFollowsBuildahsLayout) {
  EXPECT_EQ(buildahContainerConfig("/var/lib/containers/storage", "vfs", "abc"),
            "/var/lib/containers/storage/vfs-containers/abc/userdata/buildah.json");
}

TEST(SetBuildahContainerEnv, ReplacesOrAppendsInBothConfigsKeepingTheRest) {
  test::TempDir dir;
  const auto file = dir.path() / "buildah.json";
  dir.write("buildah.json", R"({"container-id": "abc", "Args": {"x": 18446744073709551615},
    "ociv1": {"config": {"Env": ["PATH=/bin", "T=old"], "Cmd": ["sh"]}},
    "docker": {"config": {"Env": ["PATH=/bin"]}}})");
  ::chmod(file.c_str(), 0600);
  setBuildahContainerEnv(file, {"T=s3cret", "U=u"});
  const auto config = nlohmann::json::parse(test::read_file(file));
  EXPECT_EQ(config["ociv1"]["config"]["Env"], nlohmann::json({"PATH=/bin", "T=s3cret", "U=u"}));
  EXPECT_EQ(config["docker"]["config"]["Env"], nlohmann::json({"PATH=/bin", "T=s3cret", "U=u"}));
  EXPECT_EQ(config["ociv1"]["config"]["Cmd"], nlohmann::json({"sh"}));
  EXPECT_EQ(config["Args"]["x"].get<uint64_t>(), 18446744073709551615ULL);
  EXPECT_EQ(config["container-id"], "abc");
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(file.string() + ".hangar-tmp"));
}

TEST(SetBuildahContainerEnv, ErrorsNameTheFileNeverTheValue) {
  test::TempDir dir;
  dir.write("bad.json", "{not json");
  dir.write("empty.json", "{}");
  for (const char* name : {"bad.json", "empty.json", "missing.json"}) {
    try {
      setBuildahContainerEnv(dir.path() / name, {"T=s3cret"});
      ADD_FAILURE() << name << " accepted";
    } catch (const std::exception& e) {
      EXPECT_THAT(e.what(), ::testing::HasSubstr(name));
      EXPECT_THAT(e.what(), ::testing::Not(::testing::HasSubstr("s3cret")));
    }
  }
}

}  // namespace
}  // namespace hangar::runner
