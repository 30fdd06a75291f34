// End to end: `hangar run-once --config agent.yaml` logs in to a registry with the `registries:` entry's
// username and passwordFile: a real docker-registry demanding Basic auth takes the run's push, buildah
// got the login through the run's auth file, and the password is nowhere in the output. Without the
// entry the push is refused. (run-once prints the run's log on stdout.) Then a task step `cmd: acr purge`
// deletes the pushed tag with that login.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/busybox_image.hpp"
#include "tests/support/command.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr const char* kPassword = "Reg-Pa55-3e9f";

class RegistryLoginRun : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy_file(static_busybox(), context_.path() / "busybox");
    // A label of its own: no other test's build makes the same image, which its cleanup could delete.
    context_.write("Dockerfile",
                   "FROM scratch\nCOPY busybox /bin/busybox\nLABEL hangar.test=" + registry_.host() + "\n");
    context_.write("push.yaml",
                   "version: v1.1.0\n"
                   "steps:\n"
                   "  - build: -t $Registry/app:v1 .\n"
                   "  - push: [$Registry/app:v1]\n");
    context_.write("purge.yaml",
                   "version: v1.1.0\n"
                   "steps:\n"
                   "  - cmd: acr purge --filter 'app:.*' --ago 0d --untagged\n");
    const auto password = config_.write("registry-password", std::string(kPassword) + "\n");
    ::chmod(password.c_str(), 0600);
    config_.write("agent.yaml",
                  "registries:\n"
                  "  - host: " +
                      registry_.host() +
                      "\n"
                      "    auth:\n"
                      "      username: builder\n"
                      "      passwordFile: " +
                      password.string() + "\n");
    config_.write("empty.yaml", "registries: []\n");
  }
  void TearDown() override { remove_local_images(registry_.host() + "/"); }

  CommandResult runOnce(const std::string& task, const std::string& agentConfig) const {
    CommandOptions options;
    options.timeout = std::chrono::minutes(5);
    return run_hangar(
        {"run-once", "-f", task, "--registry", registry_.host(), "--state-dir", state_.path().string(),
         "--config", (config_.path() / agentConfig).string(), context_.path().string()},
        options);
  }

  LocalRegistry registry_{RegistryLogin{"builder", kPassword}};
  TempDir context_{"hangar-registry-login"};
  TempDir config_{"hangar-registry-login-config"};
  TempDir state_{"hangar-registry-login-state"};
};

TEST_F(RegistryLoginRun, TheConfiguredLoginPushesAndPurgesWithoutShowingThePassword) {
  const auto pushed = runOnce("push.yaml", "agent.yaml");

  ASSERT_EQ(pushed.exit_code, 0) << pushed.describe() << registry_.log();
  EXPECT_THAT(registry_.tags("app"), ElementsAre("v1"));
  EXPECT_THAT(pushed.out + pushed.err, Not(HasSubstr(kPassword)));
  EXPECT_THAT(pushed.out, Not(HasSubstr("used anonymously")));

  const auto purged = runOnce("purge.yaml", "agent.yaml");

  ASSERT_EQ(purged.exit_code, 0) << purged.describe();
  EXPECT_THAT(purged.out, HasSubstr("running acr purge natively"));
  EXPECT_THAT(purged.out, HasSubstr("Deleted " + registry_.host() + "/app:v1"));
  EXPECT_THAT(registry_.tags("app"), IsEmpty());
  EXPECT_THAT(purged.out + purged.err, Not(HasSubstr(kPassword)));
}

TEST_F(RegistryLoginRun, WithoutTheEntryThePushIsRefused) {
  const auto result = runOnce("push.yaml", "empty.yaml");

  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.out + result.err, HasSubstr("used anonymously"));
  EXPECT_THAT(result.out + result.err, HasSubstr("failed to push image " + registry_.host() + "/app:v1"));
  EXPECT_THAT(registry_.tags("app"), IsEmpty());
}

TEST_F(RegistryLoginRun, AnUnreadablePasswordFileStopsTheRunBeforeAnyStepNamingTheEntry) {
  ::chmod((config_.path() / "registry-password").c_str(), 0644);
  const auto result = runOnce("push.yaml", "agent.yaml");

  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.out + result.err, HasSubstr("cannot log in to registry " + registry_.host() + " ("));
  EXPECT_THAT(result.out + result.err, HasSubstr("agent.yaml:2:"));
  EXPECT_THAT(result.out, Not(HasSubstr("Step ID: acb_step_0 marked as successful")));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kPassword)));
}

}  // namespace
}  // namespace hangar::test
