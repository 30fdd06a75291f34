#include "runner/workspace.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(Workspace, CreatesAPrivateRunDirectoryWithAnEmptyWorkspace) {
  test::TempDir root;
  Workspace workspace(root.path() / "runs", "r1");
  EXPECT_EQ(workspace.root(), root.path() / "runs" / "r1");
  EXPECT_TRUE(fs::is_directory(workspace.workspace()));
  EXPECT_TRUE(fs::is_empty(workspace.workspace()));
  EXPECT_EQ(fs::status(workspace.root()).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_THAT(workspace.copyContext(""), IsEmpty());
  EXPECT_THAT(workspace.copyContext("/dev/null"), IsEmpty());
  EXPECT_TRUE(fs::is_empty(workspace.workspace()));
}

TEST(Workspace, RefusesARunIdThatExistsOrIsNoFileName) {
  test::TempDir root;
  Workspace first(root.path(), "same");
  EXPECT_THROW(Workspace(root.path(), "same"), std::runtime_error);
  EXPECT_THROW(Workspace(root.path(), "../x"), std::invalid_argument);
  EXPECT_THROW(Workspace(root.path(), ".."), std::invalid_argument);
  EXPECT_THROW(Workspace(root.path(), ""), std::invalid_argument);
}

TEST(Workspace, CopiesTheContextWithSymlinksAsSymlinks) {
  test::TempDir context;
  context.write("Dockerfile", "FROM scratch\n");
  context.write("src/main.sh", "echo hi\n", fs::perms::owner_all);
  context.write("src/deep/er/file.txt", "x");
  fs::create_symlink("main.sh", context.path() / "src" / "link.sh");
  fs::create_symlink("/etc/hostname", context.path() / "outside");
  fs::create_directory_symlink("src", context.path() / "srclink");
  ASSERT_EQ(::mkfifo((context.path() / "pipe").c_str(), 0600), 0);

  test::TempDir root;
  Workspace workspace(root.path(), "r1");
  const auto notes = workspace.copyContext(context.path());
  const fs::path ws = workspace.workspace();
  EXPECT_EQ(test::read_file(ws / "Dockerfile"), "FROM scratch\n");
  EXPECT_EQ(test::read_file(ws / "src/deep/er/file.txt"), "x");
  EXPECT_EQ(fs::status(ws / "src/main.sh").permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_TRUE(fs::is_symlink(ws / "src/link.sh"));
  EXPECT_EQ(fs::read_symlink(ws / "src/link.sh"), "main.sh");
  EXPECT_EQ(fs::read_symlink(ws / "outside"), "/etc/hostname");
  EXPECT_TRUE(fs::is_symlink(ws / "srclink"));
  EXPECT_THAT(notes, ElementsAre(HasSubstr("pipe")));
  EXPECT_FALSE(fs::exists(ws / "pipe"));

  // Read-only directories (a read-only checkout) are copied writable by their owner.
  test::TempDir readOnly;
  readOnly.write("sub/file", "x");
  fs::permissions(readOnly.path() / "sub", fs::perms::owner_read | fs::perms::owner_exec);
  fs::permissions(readOnly.path(), fs::perms::owner_read | fs::perms::owner_exec);
  Workspace second(root.path(), "r2");
  second.copyContext(readOnly.path());
  EXPECT_EQ(fs::status(second.workspace()).permissions() & fs::perms::owner_all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(second.workspace() / "sub").permissions() & fs::perms::owner_all,
            fs::perms::owner_all);
  fs::permissions(readOnly.path(), fs::perms::owner_all);
  fs::permissions(readOnly.path() / "sub", fs::perms::owner_all);

  // The copy is private: writing there leaves the user's folder alone.
  std::ofstream(ws / "Dockerfile") << "changed";
  EXPECT_EQ(test::read_file(context.path() / "Dockerfile"), "FROM scratch\n");
}

TEST(Workspace, AContextThatIsNotADirectoryIsAnError) {
  test::TempDir root;
  const auto file = root.write("file", "x");
  Workspace workspace(root.path(), "r1");
  EXPECT_THROW(workspace.copyContext(file), std::runtime_error);
  EXPECT_THROW(workspace.copyContext(root.path() / "missing"), std::runtime_error);
}

TEST(Workspace, AuthFileIsPrivate) {
  test::TempDir root;
  Workspace workspace(root.path(), "r1");
  workspace.writeCredentials({{"127.0.0.1:5000", registry::Credential{"user", "pw", ""}}});
  struct stat info {};
  ASSERT_EQ(::stat(workspace.authFile().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_THAT(test::read_file(workspace.authFile()), HasSubstr("127.0.0.1:5000"));
  workspace.writeCredentials({});
  EXPECT_THAT(test::read_file(workspace.authFile()), HasSubstr("auths"));
}

TEST(Workspace, RemoveKeepsWhatOthersPutInTheRunDirectory) {
  test::TempDir root;
  {
    Workspace workspace(root.path(), "r1");
    workspace.writeRegistriesConf("unqualified-search-registries = []\n");
    workspace.writeCredentials({});
    std::ofstream(workspace.digestFile("push", 0)) << "sha256:x";
    std::ofstream(workspace.workspace() / "made-by-a-step") << "x";
    std::ofstream(workspace.root() / "run.log") << "log";
    workspace.remove();
    EXPECT_THAT(test::read_file(root.path() / "r1" / "run.log"), "log");
    EXPECT_FALSE(fs::exists(workspace.workspace()));
    EXPECT_FALSE(fs::exists(workspace.authFile()));
    EXPECT_FALSE(fs::exists(workspace.registriesConf()));
    EXPECT_FALSE(fs::exists(workspace.root() / "digests"));
  }
  {
    Workspace workspace(root.path(), "r2");
    workspace.writeCredentials({});
  }  // the destructor removes an otherwise empty run directory
  EXPECT_FALSE(fs::exists(root.path() / "r2"));
}

TEST(Workspace, DigestFilesAreNamedPerStepAndImage) {
  test::TempDir root;
  Workspace workspace(root.path(), "r1");
  EXPECT_EQ(workspace.digestFile("push/1", 2), workspace.root() / "digests" / "push_1-2.digest");
}

}  // namespace
}  // namespace hangar::runner
