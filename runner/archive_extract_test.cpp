#include "runner/archive_extract.hpp"

#include <gtest/gtest.h>
#include <sys/sysmacros.h>

#include "runner/archive_test_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {
namespace fs = std::filesystem;
using test::TarEntry;

std::string extractError(const std::vector<TarEntry>& entries, const fs::path& dir) {
  test::writeTarGz(dir / "a.tar.gz", entries);
  try {
    extractArchive(dir / "a.tar.gz", dir / "out");
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "";
}

TEST(ArchiveExtract, UnpacksFilesFoldersAndInsideSymlinks) {
  test::TempDir dir("hangar-archive");
  test::writeTarGz(dir.path() / "a.tar.gz", {{"app/", "", AE_IFDIR},
                                             {"app/Dockerfile", "FROM scratch\n"},
                                             {"app/link", "", AE_IFLNK, "Dockerfile"},
                                             {"top", "", AE_IFLNK, "app/../app/Dockerfile"}});
  extractArchive(dir.path() / "a.tar.gz", dir.path() / "out");
  EXPECT_EQ(test::read_file(dir.path() / "out" / "app" / "Dockerfile"), "FROM scratch\n");
  EXPECT_EQ(fs::read_symlink(dir.path() / "out" / "app" / "link"), "Dockerfile");
  EXPECT_EQ(test::read_file(dir.path() / "out" / "top"), "FROM scratch\n");
}

TEST(ArchiveExtract, RejectsDotDotEntries) {
  test::TempDir dir("hangar-archive");
  std::string error = extractError({{"ok.txt", "fine"}, {"../evil.txt", "bad"}}, dir.path());
  EXPECT_NE(error.find("'../evil.txt' rejected"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(dir.path() / "evil.txt"));
}

TEST(ArchiveExtract, RejectsAbsolutePathsDevicesAndEscapingSymlinks) {
  test::TempDir dir("hangar-archive");
  EXPECT_NE(extractError({{"/tmp/abs.txt", "bad"}}, dir.path()).find("rejected"), std::string::npos);
  EXPECT_NE(extractError({{"null", "", AE_IFCHR}}, dir.path()).find("device"), std::string::npos);
  EXPECT_NE(extractError({{"passwd", "", AE_IFLNK, "/etc/passwd"}}, dir.path()).find("outside"),
            std::string::npos);
  EXPECT_NE(extractError({{"a/up", "", AE_IFLNK, "../../x"}}, dir.path()).find("outside"), std::string::npos);
  // A symlink to a folder outside must not let a later entry write through it.
  std::string through = extractError({{"dir", "", AE_IFLNK, ".."}, {"dir/x.txt", "bad"}}, dir.path());
  EXPECT_NE(through.find("rejected"), std::string::npos) << through;
  EXPECT_FALSE(fs::exists(dir.path() / "x.txt"));
}

TEST(ArchiveExtract, TotalSizeAndEntryCountAreCapped) {
  test::TempDir dir("hangar-archive");
  test::writeTarGz(dir.path() / "a.tar.gz",
                   {{"a.txt", std::string(600, 'a')}, {"b.txt", std::string(600, 'b')}});
  const auto errorWith = [&](const ArchiveLimits& limits) -> std::string {
    try {
      extractArchive(dir.path() / "a.tar.gz", dir.path() / "out", limits);
    } catch (const std::runtime_error& error) {
      return error.what();
    }
    return "";
  };
  EXPECT_EQ(errorWith({1200, 2}), "");  // exactly at both limits
  EXPECT_EQ(test::read_file(dir.path() / "out" / "b.txt"), std::string(600, 'b'));
  const std::string bytes = errorWith({1000, 10});
  EXPECT_NE(bytes.find("a.tar.gz: unpacks to more than 1000 bytes"), std::string::npos) << bytes;
  const std::string count = errorWith({1 << 20, 1});
  EXPECT_NE(count.find("a.tar.gz: more than 1 entries"), std::string::npos) << count;
}

TEST(ArchiveExtract, CorruptArchiveNamesTheFile) {
  test::TempDir dir("hangar-archive");
  fs::path file = dir.write("bad.tar.gz", "this is not gzip");
  try {
    extractArchive(file, dir.path() / "out");
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("bad.tar.gz"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace hangar::runner
