// Hostile context archives: every escape (.., absolute paths, symlinks out or through, hard links out,
// device files, FIFOs) is refused naming the entry, and nothing outside the destination is touched.

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "runner/archive_extract.hpp"
#include "tests/hostile/bounded_call.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar {
namespace {
namespace fs = std::filesystem;

/// One tar entry: type AE_IFREG (content), AE_IFDIR, AE_IFLNK (link = target), AE_IFCHR, AE_IFBLK,
/// AE_IFIFO; or a hard link when `hardlink` is set.
struct Entry {
  Entry(std::string path, mode_t type = AE_IFREG, std::string content = "", std::string link = "",
        bool hardlink = false)
      : path(std::move(path)),
        type(type),
        content(std::move(content)),
        link(std::move(link)),
        hardlink(hardlink) {}
  std::string path;
  mode_t type;
  std::string content;
  std::string link;
  bool hardlink;
};

void writeTar(const fs::path& file, const std::vector<Entry>& entries) {
  archive* writer = archive_write_new();
  archive_write_add_filter_gzip(writer);
  archive_write_set_format_pax_restricted(writer);
  ASSERT_EQ(archive_write_open_filename(writer, file.c_str()), ARCHIVE_OK);
  for (const Entry& item : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, item.path.c_str());
    archive_entry_set_filetype(entry, item.type);
    archive_entry_set_perm(entry, item.type == AE_IFDIR ? 0755 : 0644);
    if (item.hardlink) archive_entry_set_hardlink(entry, item.link.c_str());
    if (item.type == AE_IFLNK) archive_entry_set_symlink(entry, item.link.c_str());
    if (item.type == AE_IFCHR || item.type == AE_IFBLK) archive_entry_set_rdev(entry, makedev(1, 3));
    const bool data = item.type == AE_IFREG && !item.hardlink;
    archive_entry_set_size(entry, data ? static_cast<la_int64_t>(item.content.size()) : 0);
    archive_write_header(writer, entry);
    if (data) archive_write_data(writer, item.content.data(), item.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
}

/// A sandbox: `outside/` holds a canary and a secret-looking file, `run/ctx` is the destination.
class HostileArchive : public ::testing::Test {
 protected:
  void SetUp() override {
    canary_ = dir_.write("outside/canary.txt", "untouched");
    dir_.write("outside/secret.txt", "do not link me");
    fs::create_directories(destination());
  }

  fs::path destination() const { return dir_.path() / "run" / "ctx"; }

  /// Extracts `entries` in a bounded child; returns the error (or "EXTRACTED").
  std::string extract(const std::vector<Entry>& entries) {
    const fs::path archive = dir_.path() / "a.tar.gz";
    writeTar(archive, entries);
    const test::BoundedResult result = test::runBounded([&] {
      runner::extractArchive(archive, destination());
      return std::string("EXTRACTED");
    });
    EXPECT_TRUE(result.finished) << result.describe();
    EXPECT_LT(result.elapsed, std::chrono::seconds(30));
    return result.text;
  }

  /// Nothing outside the destination changed: the outside folder still holds exactly its two files with
  /// their contents, and the run folder nothing but ctx/.
  void expectOutsideUntouched() {
    EXPECT_EQ(test::read_file(canary_), "untouched");
    EXPECT_EQ(test::read_file(dir_.path() / "outside" / "secret.txt"), "do not link me");
    std::vector<std::string> outside, top, run;
    for (const auto& e : fs::directory_iterator(dir_.path() / "outside"))
      outside.push_back(e.path().filename());
    for (const auto& e : fs::directory_iterator(dir_.path() / "run")) run.push_back(e.path().filename());
    for (const auto& e : fs::directory_iterator(dir_.path())) top.push_back(e.path().filename());
    std::sort(outside.begin(), outside.end());
    std::erase(top, "a.tar.gz");
    std::sort(top.begin(), top.end());
    EXPECT_EQ(outside, (std::vector<std::string>{"canary.txt", "secret.txt"}));
    EXPECT_EQ(run, (std::vector<std::string>{"ctx"}));
    EXPECT_EQ(top, (std::vector<std::string>{"outside", "run"}));
    EXPECT_EQ(fs::hard_link_count(dir_.path() / "outside" / "secret.txt"), 1u);
    EXPECT_EQ(fs::hard_link_count(canary_), 1u);
    for (const auto& e : fs::recursive_directory_iterator(destination())) {
      if (e.is_symlink()) {
        const fs::path resolved = fs::weakly_canonical(e.path());
        EXPECT_TRUE(resolved.string().starts_with(fs::canonical(destination()).string())) << e.path();
      }
    }
  }

  void expectRefused(const std::vector<Entry>& entries, const std::string& entry, const std::string& why) {
    const std::string error = extract(entries);
    EXPECT_NE(error.find("entry '" + entry + "' rejected"), std::string::npos) << error;
    EXPECT_NE(error.find(why), std::string::npos) << error;
    expectOutsideUntouched();
  }

  test::TempDir dir_{"hangar-hostile-archive"};
  fs::path canary_;
};

TEST_F(HostileArchive, DotDotEntries) {
  expectRefused({{"ok.txt", AE_IFREG, "fine"}, {"../outside/canary.txt", AE_IFREG, "overwritten"}},
                "../outside/canary.txt", "escapes the destination");
  expectRefused({{"a/../../../outside/canary.txt", AE_IFREG, "overwritten"}}, "a/../../../outside/canary.txt",
                "escapes the destination");
  expectRefused({{"../run", AE_IFDIR}}, "../run/", "escapes the destination");
}

TEST_F(HostileArchive, AbsolutePaths) {
  const std::string canary = canary_.string();
  expectRefused({{canary, AE_IFREG, "overwritten"}}, canary, "absolute");
  expectRefused({{"", AE_IFREG, "x"}}, "", "absolute or empty");
}

TEST_F(HostileArchive, SymlinkEscapes) {
  const std::string outside = (dir_.path() / "outside").string();
  expectRefused({{"out", AE_IFLNK, "", outside}}, "out", "outside the destination");
  expectRefused({{"up", AE_IFLNK, "", "../../outside"}}, "up", "outside the destination");
  expectRefused({{"sub/x", AE_IFLNK, "", "y/../../../outside"}}, "sub/x", "outside the destination");
}

TEST_F(HostileArchive, WritingThroughSymlinks) {
  // An inside symlink to the root, then an entry whose path goes through it to climb out.
  expectRefused({{"a", AE_IFDIR},
                 {"a/b", AE_IFLNK, "", ".."},
                 {"a/b/c", AE_IFLNK, "", ".."},
                 {"a/b/c/outside/canary.txt", AE_IFREG, "overwritten"}},
                "a/b/c", "");
  // A symlink to a file inside, then a regular entry with the same name: must not follow the link.
  const std::string error = extract(
      {{"target.txt", AE_IFREG, "inside"}, {"l", AE_IFLNK, "", "target.txt"}, {"l", AE_IFREG, "replaced"}});
  EXPECT_EQ(test::read_file(destination() / "target.txt"), "inside") << error;
  expectOutsideUntouched();
}

TEST_F(HostileArchive, HardLinksOut) {
  const std::string secret = (dir_.path() / "outside" / "secret.txt").string();
  expectRefused({{"h", AE_IFREG, "", secret, true}}, "h", "hard link target escapes");
  expectRefused({{"h", AE_IFREG, "", "../outside/secret.txt", true}}, "h", "hard link target escapes");
  // A hard link through an inside symlink is refused (nothing is written through a symlink) ...
  expectRefused({{"d", AE_IFDIR},
                 {"d/f", AE_IFREG, "data"},
                 {"s", AE_IFLNK, "", "d"},
                 {"h", AE_IFREG, "", "s/f", true}},
                "h", "Cannot extract through symlink");
  // ... and one to a file inside is extracted as a hard link.
  fs::remove_all(destination());
  const std::string error =
      extract({{"d", AE_IFDIR}, {"d/f", AE_IFREG, "data"}, {"h", AE_IFREG, "", "d/f", true}});
  EXPECT_EQ(error, "EXTRACTED");
  EXPECT_EQ(test::read_file(destination() / "h"), "data");
  EXPECT_EQ(fs::hard_link_count(destination() / "d" / "f"), 2u);
  expectOutsideUntouched();
}

TEST_F(HostileArchive, DeviceFilesAndFifos) {
  expectRefused({{"null", AE_IFCHR}}, "null", "device files, FIFOs and sockets are not allowed");
  expectRefused({{"disk", AE_IFBLK}}, "disk", "device files, FIFOs and sockets are not allowed");
  expectRefused({{"pipe", AE_IFIFO}}, "pipe", "device files, FIFOs and sockets are not allowed");
  EXPECT_FALSE(fs::exists(destination() / "null"));
  EXPECT_FALSE(fs::exists(destination() / "pipe"));
}

TEST_F(HostileArchive, CorruptAndTruncatedArchives) {
  const fs::path archive = dir_.write("bad.tar.gz", std::string("\x1f\x8b\x08\x00garbage", 12));
  const test::BoundedResult result = test::runBounded([&] {
    runner::extractArchive(archive, destination());
    return std::string("EXTRACTED");
  });
  ASSERT_TRUE(result.finished) << result.describe();
  EXPECT_NE(result.text.find("bad.tar.gz"), std::string::npos) << result.text;
  fs::remove(archive);
  expectOutsideUntouched();
}

}  // namespace
}  // namespace hangar
