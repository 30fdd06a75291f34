// File and privilege hygiene: Hangar's private files get their modes from Hangar, not from the umask
// (every test runs under umask 0, the worst case): state directories 0700, run directories 0700,
// credentials 0600, secret volume files 0400 in 0700 folders, created exclusively without following
// symlinks; run directories are removed; an agent configuration holding an inline secret is refused.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "agent/run_id.hpp"
#include "agent/state_dir.hpp"
#include "config/agent_config.hpp"
#include "config/diagnostic.hpp"
#include "runner/secret_volumes.hpp"
#include "runner/workspace.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar {
namespace {
namespace fs = std::filesystem;

mode_t modeOf(const fs::path& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return 07777;
  return info.st_mode & 07777;
}

/// Runs the test body under umask 0 and restores the previous one.
class FileHygiene : public ::testing::Test {
 protected:
  void SetUp() override { previous_ = ::umask(0); }
  void TearDown() override { ::umask(previous_); }
  mode_t previous_ = 0;
  test::TempDir dir_{"hangar-hygiene"};
};

TEST_F(FileHygiene, StateDirectoriesArePrivate) {
  const fs::path fromEnvironment = dir_.path() / "env-state";
  ::setenv("HANGAR_STATE_DIR", fromEnvironment.c_str(), 1);
  const fs::path made = agent::defaultStateDir();
  ::unsetenv("HANGAR_STATE_DIR");
  EXPECT_EQ(made, fromEnvironment);
  EXPECT_EQ(modeOf(fromEnvironment), 0700u);

  // --state-dir: the run id generator is the first to create it.
  const fs::path explicitDir = dir_.path() / "flag-state";
  agent::RunIdGenerator ids(explicitDir, "hyg");
  EXPECT_FALSE(ids.next().empty());
  EXPECT_EQ(modeOf(explicitDir), 0700u);
}

TEST_F(FileHygiene, RunDirectoryAndCredentialsArePrivateAndRemoved) {
  runner::Workspace workspace(dir_.path() / "runs", "hyg1");
  EXPECT_EQ(modeOf(workspace.root()), 0700u);
  workspace.writeCredentials({{"127.0.0.1:5000", registry::Credential{"user", "pw-hygiene-1", ""}}});
  EXPECT_EQ(modeOf(workspace.authFile()), 0600u);
  workspace.remove();
  EXPECT_FALSE(fs::exists(dir_.path() / "runs" / "hyg1"));
}

TEST_F(FileHygiene, SecretVolumesAreReadOnlyForTheOwnerAndNeverFollowSymlinks) {
  const fs::path root = dir_.path() / "volumes";
  const auto written = runner::writeSecretVolumes(root, {{"vol", {{"key.txt", "volume-secret"}}}});
  EXPECT_EQ(modeOf(root), 0700u);
  EXPECT_EQ(modeOf(written.at("vol")), 0700u);
  EXPECT_EQ(modeOf(written.at("vol") / "key.txt"), 0400u);

  // A symlink planted where a secret file goes: refused, and its target keeps its bytes.
  const fs::path victim = dir_.write("victim.txt", "untouched");
  const fs::path other = dir_.path() / "volumes2";
  fs::create_directories(other / "vol");
  fs::create_symlink(victim, other / "vol" / "key.txt");
  EXPECT_THROW(runner::writeSecretVolumes(other, {{"vol", {{"key.txt", "volume-secret"}}}}),
               std::system_error);
  EXPECT_EQ(test::read_file(victim), "untouched");
}

TEST_F(FileHygiene, AgentConfigWithAnInlineSecretIsRefused) {
  // World-readable (0644, as umask 0 leaves it) and holding a password: refused, without echoing it.
  const fs::path config = dir_.write(
      "agent.yaml",
      "registries:\n"
      "  - host: myregistry.azurecr.io\n"
      "    auth: {username: u, password: inline-hygiene-secret}\n",
      fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  try {
    config::loadAgentConfig(config);
    FAIL() << "an agent configuration with an inline password was accepted";
  } catch (const config::TaskError& error) {
    const std::string text = error.diagnostics().str();
    EXPECT_NE(text.find("inline secret 'password'"), std::string::npos) << text;
    EXPECT_NE(text.find("agent.yaml:3:"), std::string::npos) << text;
    EXPECT_EQ(text.find("inline-hygiene-secret"), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace hangar
