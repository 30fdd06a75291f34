// A task whose step is `cmd: acr purge ...` (the built-in `acr` alias, i.e. the acr-cli image) runs the
// native purge in-process against the run's registry: the real hangar binary and a real registry.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "registry/oci_test_images.hpp"
#include "tests/support/command.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

struct AcrPurgeStepTest : ::testing::Test {
  LocalRegistry registry;
  registry::CurlTransport http;
  TempDir dir{"hangar-acr-purge-step"};

  void push(const std::string& repo, const std::string& tag, const std::string& created) {
    registry::testimages::pushImage(http, registry.url(), repo, tag, created, repo + tag);
  }
  CommandResult runTask(const std::string& yaml) {
    const auto task = dir.write("purge.yaml", yaml);
    CommandOptions options;
    options.timeout = std::chrono::seconds(120);
    // No credentials anywhere: the loopback registry is anonymous, and no docker config is read.
    options.env["DOCKER_CONFIG"] = (dir.path() / "docker").string();
    return run_hangar({"run-once", "-f", task.string(), "--registry", registry.host(), "--state-dir",
                       (dir.path() / "state").string(), "/dev/null"},
                      options);
  }
};

TEST_F(AcrPurgeStepTest, AcrAliasStepPurgesTheRunRegistryWithoutAContainer) {
  push("app", "old", "2020-01-01T00:00:00Z");
  push("app", "older", "2019-01-01T00:00:00Z");
  push("app", "fresh", "2999-01-01T00:00:00Z");  // "created" in the future: never older than the cutoff
  push("other", "old", "2020-01-01T00:00:00Z");

  // No --registry in the command: ACR Tasks purges the run's registry.
  const auto result = runTask(
      "version: v1.1.0\n"
      "steps:\n"
      "  - id: purge\n"
      "    cmd: acr purge --filter 'app:^old' --ago 7d --untagged\n");

  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const std::string log = result.out + result.err;
  EXPECT_THAT(log, HasSubstr("Deleted " + registry.host() + "/app:old\n"));
  EXPECT_THAT(log, HasSubstr("Deleted " + registry.host() + "/app:older\n"));
  EXPECT_THAT(log, HasSubstr("Number of deleted tags: 2"));
  EXPECT_THAT(log, Not(HasSubstr("Pulling image")));
  EXPECT_THAT(registry.tags("app"), ElementsAre("fresh"));
  EXPECT_THAT(registry.tags("other"), ElementsAre("old"));
}

TEST_F(AcrPurgeStepTest, FullImageNameAndAFailingPurgeFailTheStepWithItsError) {
  push("app", "old", "2020-01-01T00:00:00Z");
  const auto result = runTask(
      "version: v1.1.0\n"
      "steps:\n"
      "  - id: purge\n"
      "    cmd: mcr.microsoft.com/acr/acr-cli:0.19 purge --filter 'app:(' --ago 1d\n");

  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.out + result.err, HasSubstr("failed to run step ID: purge: exit status 1"));
  EXPECT_THAT(registry.tags("app"), ElementsAre("old"));
}

}  // namespace
}  // namespace hangar::test
