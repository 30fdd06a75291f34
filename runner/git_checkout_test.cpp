#include "runner/git_checkout.hpp"

#include <gtest/gtest.h>

#include "runner/git_test_repo.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {
namespace fs = std::filesystem;
using test::GitTestRepo;

TEST(GitCheckout, SharesObjectsWithTheMirrorAndChecksOutSubmodulesRecursively) {
  test::TempDir dir("hangar-git-checkout");
  GitTestRepo inner(dir.path() / "served", "inner");
  inner.commit("inner.txt", "deepest\n");
  inner.push();
  GitTestRepo lib(dir.path() / "served", "lib");
  lib.commit("lib.txt", "library v1\n");
  lib.run({"submodule", "add", "-q", inner.fileUrl(), "nested"});
  lib.run({"commit", "-q", "-m", "nested submodule"});
  lib.push();
  GitTestRepo app(dir.path() / "served", "app");
  app.commit("app/Dockerfile", "FROM scratch\n");
  app.run({"submodule", "add", "-q", lib.fileUrl(), "vendor/lib"});
  app.run({"commit", "-q", "-m", "add submodule"});
  std::string head = app.run({"rev-parse", "HEAD"});
  app.push();
  // The submodule moves on after the superproject pinned it: the pinned commit must be checked out.
  lib.commit("lib.txt", "library v2\n");
  lib.push();

  GitMirrorCache cache(dir.path() / "mirrors");
  std::string log;
  GitFetchOptions options;
  options.log = [&](const std::string& line) { log += line + "\n"; };
  auto [update, resolved] = cache.update(app.fileUrl(), "", options);
  fs::path workspace = dir.path() / "run" / "src";
  checkoutFromMirror(cache, update.path, app.fileUrl(), resolved.commit, workspace, options);

  EXPECT_EQ(test::read_file(workspace / "app" / "Dockerfile"), "FROM scratch\n");
  EXPECT_EQ(test::read_file(workspace / "vendor" / "lib" / "lib.txt"), "library v1\n");
  EXPECT_EQ(test::read_file(workspace / "vendor" / "lib" / "nested" / "inner.txt"), "deepest\n");
  EXPECT_EQ(test::read_file(workspace / ".git" / "objects" / "info" / "alternates"),
            fs::absolute(update.path / "objects").string() + "\n");
  EXPECT_TRUE(fs::is_empty(workspace / ".git" / "objects" / "pack")) << "objects were copied";
  EXPECT_EQ(test::git(workspace, {"rev-parse", "HEAD"}), head);
  EXPECT_EQ(test::git(workspace, {"status", "--porcelain"}), "");
  EXPECT_EQ(test::git(workspace, {"remote", "get-url", "origin"}), app.fileUrl());
  EXPECT_NE(log.find("submodule vendor/lib"), std::string::npos) << log;
}

}  // namespace
}  // namespace hangar::runner
