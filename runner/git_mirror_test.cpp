#include "runner/git_mirror.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "runner/git_error.hpp"
#include "runner/git_test_repo.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {
namespace fs = std::filesystem;
using test::GitDaemon;
using test::GitTestRepo;

class GitMirrorTest : public ::testing::Test {
 protected:
  GitMirrorTest() : repo(dir.path() / "served", "app"), cache(dir.path() / "state" / "git-mirrors") {
    first = repo.commit("README.md", "one\n", "first");
    repo.commit("app/Dockerfile", "FROM scratch\n", "dockerfile");
    repo.run({"tag", "v0-light"});
    for (int i = 0; i < 3; ++i) repo.commit("log.txt", "line " + std::to_string(i) + "\n");
    repo.run({"tag", "-a", "v1", "-m", "release 1"});
    main = repo.run({"rev-parse", "HEAD"});
    repo.run({"checkout", "-q", "-b", "feature"});
    feature = repo.commit("feature.txt", "f\n");
    repo.run({"checkout", "-q", "main"});
    repo.push();
    test::git(repo.bare(), {"update-ref", "refs/pull/12/head", feature});
  }
  std::pair<MirrorUpdate, ResolvedRef> update(const std::string& url, const std::string& ref = "") {
    GitFetchOptions options;
    options.log = [this](const std::string& line) { log += line + "\n"; };
    return cache.update(url, ref, options);
  }

  test::TempDir dir{"hangar-git-mirror"};
  GitTestRepo repo;
  GitMirrorCache cache;
  std::string first, main, feature, log;
};

TEST_F(GitMirrorTest, ResolvesEveryRefKindOverFileUrls) {
  std::string url = repo.fileUrl();
  auto [update, head] = this->update(url);
  EXPECT_TRUE(update.cloned);
  EXPECT_EQ(head.commit, main);
  EXPECT_EQ(head.branch, "main");
  EXPECT_EQ(this->update(url, "main").second.commit, main);
  auto featureRef = this->update(url, "feature").second;
  EXPECT_EQ(featureRef.commit, feature);
  EXPECT_EQ(featureRef.branch, "feature");
  auto tag = this->update(url, "v1").second;
  EXPECT_EQ(tag.commit, main);  // annotated tag peeled to its commit
  EXPECT_EQ(tag.tag, "v1");
  EXPECT_TRUE(tag.branch.empty());
  EXPECT_EQ(this->update(url, "v0-light").second.commit, repo.run({"rev-parse", "v0-light"}));
  EXPECT_EQ(this->update(url, first).second.commit, first);
  EXPECT_EQ(this->update(url, first.substr(0, 7)).second.commit, first);
  EXPECT_EQ(this->update(url, "refs/pull/12/head").second.commit, feature);
  EXPECT_EQ(this->update(url, "refs/tags/v1").second.tag, "v1");
  EXPECT_FALSE(this->update(url).first.cloned);
  EXPECT_NE(log.find("git: cloned " + url), std::string::npos) << log;
}

TEST_F(GitMirrorTest, UnknownRefNamesUrlAndRef) {
  try {
    update(repo.fileUrl(), "no-such-branch");
    FAIL() << "expected an error";
  } catch (const GitError& error) {
    EXPECT_EQ(error.failure(), GitFailure::RefNotFound);
    std::string message = error.what();
    EXPECT_NE(message.find(repo.fileUrl()), std::string::npos) << message;
    EXPECT_NE(message.find("no-such-branch"), std::string::npos) << message;
    EXPECT_NE(message.find("ref not found"), std::string::npos) << message;
  }
}

TEST_F(GitMirrorTest, MissingRepositoryIsAnErrorAndLeavesNoMirror) {
  std::string url = "file://" + (dir.path() / "nowhere.git").string();
  EXPECT_THROW(update(url), GitError);
  EXPECT_FALSE(fs::exists(cache.mirrorPath(url)));
}

TEST_F(GitMirrorTest, SecondFetchOverGitDaemonTransfersOnlyNewObjects) {
  GitDaemon daemon(dir.path() / "served");
  std::string url = daemon.url("app.git");
  auto [initial, head] = update(url);
  EXPECT_TRUE(initial.cloned);
  EXPECT_EQ(head.commit, main);
  EXPECT_GE(initial.stats.receivedObjects, 20u);
  EXPECT_GT(initial.stats.receivedBytes, 0u);

  auto unchanged = update(url).first;
  EXPECT_EQ(unchanged.stats.receivedObjects, 0u);

  std::string next = repo.commit("README.md", "two\n", "second");
  repo.push("main");
  auto [again, moved] = update(url);
  EXPECT_FALSE(again.cloned);
  EXPECT_EQ(moved.commit, next);
  EXPECT_EQ(again.stats.receivedObjects, 3u);  // the commit, its root tree, the new README blob
  EXPECT_LT(again.stats.receivedBytes, initial.stats.receivedBytes);
}

TEST_F(GitMirrorTest, ConcurrentUpdatesOfOneMirrorBothSucceed) {
  GitDaemon daemon(dir.path() / "served");
  std::string url = daemon.url("app.git");
  std::string a, b, errorA, errorB;
  auto run = [&](std::string& commit, std::string& error) {
    try {
      commit = cache.update(url, "feature", {}).second.commit;
    } catch (const std::exception& e) {
      error = e.what();
    }
  };
  std::thread first(run, std::ref(a), std::ref(errorA));
  std::thread second(run, std::ref(b), std::ref(errorB));
  first.join();
  second.join();
  EXPECT_EQ(errorA, "");
  EXPECT_EQ(errorB, "");
  EXPECT_EQ(a, feature);
  EXPECT_EQ(b, feature);
  int mirrors = 0;
  for (const auto& entry : fs::directory_iterator(cache.root())) mirrors += entry.is_directory();
  EXPECT_EQ(mirrors, 1);
}

TEST_F(GitMirrorTest, BusyLockTimesOutAndDeadHoldersReleaseIt) {
  std::string url = repo.fileUrl();
  fs::create_directories(cache.root());
  fs::path lockFile = cache.mirrorPath(url);
  lockFile += ".lock";
  int fd = ::open(lockFile.c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  GitFetchOptions options;
  options.lockTimeout = std::chrono::milliseconds(200);
  try {
    cache.update(url, "", options);
    FAIL() << "expected a lock timeout";
  } catch (const GitError& error) {
    EXPECT_EQ(error.failure(), GitFailure::LockTimeout);
  }
  ::close(fd);

  // A process that dies holding the lock leaves the file behind but not the lock.
  pid_t child = ::fork();
  if (child == 0) {
    int childFd = ::open(lockFile.c_str(), O_RDWR);
    ::flock(childFd, LOCK_EX);
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(fs::exists(lockFile));
  EXPECT_EQ(cache.update(url, "", options).second.commit, main);
}

TEST_F(GitMirrorTest, CorruptMirrorIsDeletedAndReclonedOnce) {
  std::string url = repo.fileUrl();
  fs::path mirror = update(url).first.path;
  std::ofstream(mirror / "config", std::ios::trunc) << "[core\n\tgarbage = = =\n";
  std::string next = repo.commit("README.md", "healed\n");
  repo.push("main");
  auto [healed, head] = update(url);
  EXPECT_TRUE(healed.healed);
  EXPECT_TRUE(healed.cloned);
  EXPECT_EQ(head.commit, next);
  EXPECT_NE(log.find("is corrupt"), std::string::npos) << log;
}

TEST_F(GitMirrorTest, MirrorPathIsStablePerRepository) {
  EXPECT_EQ(cache.mirrorPath("https://Host/org/repo.git"), cache.mirrorPath("https://u:p@host/org/repo"));
  EXPECT_NE(cache.mirrorPath("https://host/org/repo.git"), cache.mirrorPath("https://host/org/other.git"));
  EXPECT_EQ(cache.mirrorPath("https://host/org/repo.git").parent_path(), cache.root());
}

}  // namespace
}  // namespace hangar::runner
