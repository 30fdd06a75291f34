#include "runner/secret_volumes.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {

namespace fs = std::filesystem;

config::VolumeSpec volume(std::string name, std::map<std::string, std::string> secret) {
  config::VolumeSpec spec;
  spec.name = std::move(name);
  spec.secret = std::move(secret);
  return spec;
}

mode_t modeOf(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST(SecretVolumes, DecodesEveryFile) {
  // "a$b`c\\EOL\n" and bytes no shell would keep: NUL and a last line without newline.
  const auto files = decodeSecretVolumes(
      {volume("v1", {{"shell", "YSRiYGNcXEVPTAo="}, {"binary", "AP8KZW5k"}}), volume("v2", {})});
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files.at("v1").at("shell"), "a$b`c\\\\EOL\n");
  EXPECT_EQ(files.at("v1").at("binary"), std::string("\0\xff\nend", 6));
  EXPECT_TRUE(files.at("v2").empty());
}

TEST(SecretVolumes, InvalidBase64FailsNamingTheFileNotTheValue) {
  try {
    decodeSecretVolumes({volume("creds", {{"token", "not base64!"}})});
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "volume 'creds': the value of 'token' is not valid base64");
  }
  EXPECT_THROW(decodeSecretVolumes({volume("creds", {{"..", "YQ=="}})}), std::invalid_argument);
  EXPECT_THROW(decodeSecretVolumes({volume("creds", {{"a/b", "YQ=="}})}), std::invalid_argument);
}

TEST(SecretVolumes, ValuesToMaskAreTheDecodedOnes) {
  config::Task task;
  task.volumes = {volume("v", {{"a", "c2VjcmV0"}, {"empty", ""}, {"bad", "%%%"}})};
  EXPECT_THAT(secretVolumeValues(task), ::testing::ElementsAre("secret"));
}

TEST(SecretVolumes, WritesExactBytesInPrivateDirectoriesWithReadOnlyFiles) {
  test::TempDir root;
  const fs::path dir = root.path() / "secret-volumes";
  const auto files =
      decodeSecretVolumes({volume("v1", {{"shell", "YSRiYGNcXEVPTAo="}, {"binary", "AP8KZW5k"}})});
  const auto written = writeSecretVolumes(dir, files);
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written.at("v1"), dir / "v1");
  EXPECT_EQ(modeOf(dir), 0700u);
  EXPECT_EQ(modeOf(dir / "v1"), 0700u);
  for (const auto* name : {"shell", "binary"}) {
    EXPECT_EQ(modeOf(dir / "v1" / name), 0400u) << name;
    EXPECT_EQ(test::read_file(dir / "v1" / name), files.at("v1").at(name)) << name;
  }
  // Never overwrites (nor follows a link planted in its place).
  EXPECT_THROW(writeSecretVolumes(dir, files), std::system_error);
}

TEST(SecretVolumes, NothingIsWrittenWithoutVolumes) {
  test::TempDir root;
  EXPECT_TRUE(writeSecretVolumes(root.path() / "none", {}).empty());
  EXPECT_FALSE(fs::exists(root.path() / "none"));
}

}  // namespace
}  // namespace hangar::runner
