#include "runner/git_remote_head.hpp"

#include <gtest/gtest.h>

#include "runner/git_error.hpp"
#include "runner/git_test_repo.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {
using test::GitTestRepo;

TEST(RemoteHead, ListsRefsOverGitDaemonWithoutFetching) {
  test::TempDir dir("hangar-git-ls");
  GitTestRepo repo(dir.path() / "served", "app");
  std::string first = repo.commit("a.txt", "1\n");
  repo.run({"tag", "-a", "v1", "-m", "v1"});
  repo.run({"branch", "other"});
  repo.push();
  test::GitDaemon daemon(dir.path() / "served");
  std::string url = daemon.url("app.git");

  EXPECT_EQ(remoteHead(url, ""), first);
  EXPECT_EQ(remoteHead(url, "main"), first);
  EXPECT_EQ(remoteHead(url, "refs/heads/other"), first);
  EXPECT_EQ(remoteHead(url, "v1"), first);  // peeled, not the tag object
  EXPECT_EQ(remoteHead(url, "missing"), std::nullopt);
  EXPECT_FALSE(remoteBranchMoved(url, "main", first));

  std::string second = repo.commit("a.txt", "2\n");
  repo.push("main");
  EXPECT_EQ(remoteHead(url, "main"), second);
  EXPECT_TRUE(remoteBranchMoved(url, "main", first));
  EXPECT_TRUE(remoteBranchMoved(url, "gone", first));
}

TEST(RemoteHead, UnreachableRemoteIsANetworkErrorNamingTheUrl) {
  int port = test::pick_free_loopback_port();  // nothing listens there
  std::string url = "git://127.0.0.1:" + std::to_string(port) + "/app.git";
  try {
    remoteHead(url, "main");
    FAIL();
  } catch (const GitError& error) {
    EXPECT_EQ(error.failure(), GitFailure::Network) << error.what();
    EXPECT_NE(std::string(error.what()).find(url), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace hangar::runner
