#include "runner/git_checkout_cache.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "runner/git_test_repo.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {
namespace fs = std::filesystem;
using test::GitTestRepo;

class GitCheckoutCacheTest : public ::testing::Test {
 protected:
  GitCheckoutCacheTest() : repo(dir.path() / "served", "app") {
    options.log = [this](const std::string& line) { log += line + "\n"; };
  }

  // Fetches the mirror and checks `ref` out into `destination`, under the mirror's lock.
  CachedCheckoutResult fetch(const fs::path& destination, const std::string& ref = "main") {
    CachedCheckoutResult result;
    cache.update(repo.fileUrl(), ref, options, [&](const MirrorUpdate& update, const ResolvedRef& resolved) {
      result =
          checkoutThroughCache(cache, update.path, repo.fileUrl(), resolved.commit, destination, options);
    });
    return result;
  }
  fs::path stateFile() const {
    fs::path mirror = cache.mirrorPath(repo.fileUrl());
    mirror.replace_extension(".checkout.state");
    return mirror;
  }

  test::TempDir dir{"hangar-checkout-cache"};
  GitTestRepo repo;
  GitMirrorCache cache{dir.path() / "mirrors"};
  GitFetchOptions options;
  std::string log;
};

TEST_F(GitCheckoutCacheTest, SecondCheckoutWritesOnlyChangedFilesAndEarlierSnapshotsKeepTheirContent) {
  repo.commit("keep/same.txt", "same\n");
  repo.commit("edit.txt", "old\n");
  repo.commit("gone/only.txt", "to be deleted\n");
  repo.commit("becomes-dir", "a file first\n");
  repo.commit("tool.sh", "#!/bin/sh\n");
  std::string first = repo.commit("link", "x");  // replaced by a symlink below
  repo.push();

  fs::path run1 = dir.path() / "contexts" / "run1";
  CachedCheckoutResult one = fetch(run1);
  EXPECT_EQ(one.mode, CachedCheckoutResult::Mode::Full);
  EXPECT_EQ(one.filesLinked, one.filesWritten) << "every file of the snapshot is linked";
  EXPECT_EQ(test::git(run1, {"rev-parse", "HEAD"}), first);
  EXPECT_EQ(test::git(run1, {"status", "--porcelain"}), "");

  // One commit: a modified file, a deleted folder, a file that becomes a folder, a new folder,
  // a mode change and a file replaced by a symlink.
  std::ofstream(repo.work() / "edit.txt") << "new\n";
  fs::remove_all(repo.work() / "gone");
  fs::remove(repo.work() / "becomes-dir");
  fs::create_directories(repo.work() / "becomes-dir");
  std::ofstream(repo.work() / "becomes-dir" / "inner.txt") << "inside\n";
  fs::permissions(repo.work() / "tool.sh", fs::perms::owner_exec, fs::perm_options::add);
  fs::remove(repo.work() / "link");
  fs::create_symlink("edit.txt", repo.work() / "link");
  std::string second = repo.commit("added/new.txt", "brand new\n", "many changes");
  repo.push();

  fs::path run2 = dir.path() / "contexts" / "run2";
  CachedCheckoutResult two = fetch(run2);
  EXPECT_EQ(two.mode, CachedCheckoutResult::Mode::Incremental) << log;
  EXPECT_EQ(two.filesWritten, 5u) << "edit.txt, becomes-dir/inner.txt, tool.sh, link, added/new.txt";
  EXPECT_EQ(test::git(run2, {"rev-parse", "HEAD"}), second);
  EXPECT_EQ(test::git(run2, {"status", "--porcelain"}), "") << "the tree is exactly the commit's";
  EXPECT_EQ(test::read_file(run2 / "edit.txt"), "new\n");
  EXPECT_FALSE(fs::exists(run2 / "gone")) << "an emptied folder is removed";
  EXPECT_EQ(test::read_file(run2 / "becomes-dir" / "inner.txt"), "inside\n");
  EXPECT_TRUE((fs::status(run2 / "tool.sh").permissions() & fs::perms::owner_exec) != fs::perms::none);
  EXPECT_EQ(fs::read_symlink(run2 / "link"), "edit.txt");
  EXPECT_EQ(test::read_file(run2 / "keep" / "same.txt"), "same\n");

  // The first run's snapshot shares unchanged files but never sees the new contents.
  EXPECT_EQ(test::read_file(run1 / "edit.txt"), "old\n");
  EXPECT_EQ(test::read_file(run1 / "gone" / "only.txt"), "to be deleted\n");
  EXPECT_EQ(test::read_file(run1 / "becomes-dir"), "a file first\n");
  EXPECT_EQ(test::git(run1, {"rev-parse", "HEAD"}), first);

  // The same commit again: nothing written.
  CachedCheckoutResult three = fetch(dir.path() / "contexts" / "run3");
  EXPECT_EQ(three.mode, CachedCheckoutResult::Mode::Unchanged);
  EXPECT_EQ(three.filesWritten, 0u);
  EXPECT_EQ(test::read_file(dir.path() / "contexts" / "run3" / "edit.txt"), "new\n");

  // Going back to an older commit is a diff as well.
  CachedCheckoutResult back = fetch(dir.path() / "contexts" / "run4", first);
  EXPECT_EQ(back.mode, CachedCheckoutResult::Mode::Incremental);
  EXPECT_EQ(test::git(dir.path() / "contexts" / "run4", {"status", "--porcelain"}), "");
  EXPECT_EQ(test::read_file(dir.path() / "contexts" / "run4" / "gone" / "only.txt"), "to be deleted\n");
}

TEST_F(GitCheckoutCacheTest, AnInterruptedUpdateIsRebuiltInFull) {
  repo.commit("a.txt", "1\n");
  repo.push();
  fetch(dir.path() / "run1");
  ASSERT_TRUE(fs::exists(stateFile()));
  std::string next = repo.commit("a.txt", "2\n");
  repo.push();
  fs::remove(stateFile());  // what a crash between removing and rewriting the state leaves
  CachedCheckoutResult result = fetch(dir.path() / "run2");
  EXPECT_EQ(result.mode, CachedCheckoutResult::Mode::Full);
  EXPECT_EQ(test::read_file(dir.path() / "run2" / "a.txt"), "2\n");
  EXPECT_EQ(test::git(dir.path() / "run2", {"rev-parse", "HEAD"}), next);
}

TEST_F(GitCheckoutCacheTest, AttributesChangeTakesTheFullPathAndFiltersApply) {
  repo.commit("notes.txt", "line one\nline two\n");
  repo.push();
  EXPECT_EQ(fetch(dir.path() / "run1").mode, CachedCheckoutResult::Mode::Full);
  repo.commit(".gitattributes", "*.txt eol=crlf\n");
  repo.push();
  CachedCheckoutResult result = fetch(dir.path() / "run2");
  EXPECT_EQ(result.mode, CachedCheckoutResult::Mode::Full);
  EXPECT_EQ(test::read_file(dir.path() / "run2" / "notes.txt"), "line one\r\nline two\r\n");
  repo.commit("more.txt", "a\nb\n");
  repo.push();
  CachedCheckoutResult again = fetch(dir.path() / "run3");
  EXPECT_EQ(again.mode, CachedCheckoutResult::Mode::Incremental);
  EXPECT_EQ(test::read_file(dir.path() / "run3" / "more.txt"), "a\r\nb\r\n") << "filters stay on";
}

TEST_F(GitCheckoutCacheTest, RepositoriesWithSubmodulesAreCheckedOutDirectly) {
  GitTestRepo lib(dir.path() / "served", "lib");
  lib.commit("lib.txt", "library\n");
  lib.push();
  repo.commit("app.txt", "app\n");
  repo.run({"submodule", "add", "-q", lib.fileUrl(), "vendor/lib"});
  repo.run({"commit", "-q", "-m", "submodule"});
  repo.push();
  CachedCheckoutResult result = fetch(dir.path() / "run1");
  EXPECT_EQ(result.mode, CachedCheckoutResult::Mode::Direct);
  EXPECT_EQ(test::read_file(dir.path() / "run1" / "vendor" / "lib" / "lib.txt"), "library\n");
}

}  // namespace
}  // namespace hangar::runner
