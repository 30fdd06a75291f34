#include "runner/hardlink_tree.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {
namespace fs = std::filesystem;

ino_t inodeOf(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
  return info.st_ino;
}

TEST(HardlinkTree, LinksFilesRecreatesFoldersAndKeepsSymlinks) {
  test::TempDir dir("hangar-hardlink");
  fs::path source = dir.path() / "source";
  fs::create_directories(source / "a" / "b");
  std::ofstream(source / "top.txt") << "top\n";
  std::ofstream(source / "a" / "b" / "deep.sh") << "#!/bin/sh\n";
  fs::permissions(source / "a" / "b" / "deep.sh", fs::perms::owner_exec, fs::perm_options::add);
  fs::permissions(source / "a", fs::perms::group_write | fs::perms::others_all, fs::perm_options::remove);
  fs::create_symlink("../top.txt", source / "a" / "link");
  fs::create_symlink("/etc/passwd", source / "outside");

  fs::path copy = dir.path() / "runs" / "1" / "copy";
  HardlinkTreeStats stats = hardlinkTree(source, copy);

  EXPECT_EQ(stats.linkedFiles, 2u);
  EXPECT_EQ(stats.copiedFiles, 0u);
  EXPECT_EQ(stats.directories, 2u);
  EXPECT_EQ(stats.symlinks, 2u);
  EXPECT_EQ(inodeOf(copy / "top.txt"), inodeOf(source / "top.txt"));
  EXPECT_EQ(inodeOf(copy / "a" / "b" / "deep.sh"), inodeOf(source / "a" / "b" / "deep.sh"));
  EXPECT_NE(inodeOf(copy / "a"), inodeOf(source / "a")) << "folders are the copy's own";
  EXPECT_EQ(fs::status(copy / "a").permissions(), fs::status(source / "a").permissions());
  EXPECT_TRUE(fs::is_symlink(copy / "a" / "link"));
  EXPECT_EQ(fs::read_symlink(copy / "a" / "link"), "../top.txt");
  EXPECT_EQ(fs::read_symlink(copy / "outside"), "/etc/passwd") << "never followed";
  EXPECT_TRUE(fs::is_regular_file(copy / "a" / "b" / "deep.sh"));

  // A new file in the copy does not appear in the source: the folders are separate.
  std::ofstream(copy / "a" / "new.txt") << "mine\n";
  EXPECT_FALSE(fs::exists(source / "a" / "new.txt"));
}

TEST(HardlinkTree, RefusesADestinationThatHoldsFiles) {
  test::TempDir dir("hangar-hardlink");
  fs::create_directories(dir.path() / "source");
  fs::create_directories(dir.path() / "busy");
  std::ofstream(dir.path() / "busy" / "x") << "x";
  EXPECT_THROW(hardlinkTree(dir.path() / "source", dir.path() / "busy"), fs::filesystem_error);
}

}  // namespace
}  // namespace hangar::runner
