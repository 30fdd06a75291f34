// Conformance, task-format.md §6 examples 12-13: secret volumes mounted into cmd steps.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/conformance/conformance_fixture.hpp"
#include "tests/conformance/log_lines.hpp"
#include "tests/support/stand_in_images.hpp"

namespace hangar::test {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

/// The mounts samples have no `version:` line, so no aliases (§3.5): their `bash` is Docker Hub's
/// bash:latest, which the fixture's docker.io mirror serves from the loopback registry.
class SecretVolumeSample : public ConformanceTest {
 protected:
  void SetUp() override {
    ConformanceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    push_stand_ins({{"library/bash:latest", bash_image()}}, registry_host() + "/dockerhub");
  }
};

TEST_F(SecretVolumeSample, MountsMultistepMountsOneThenBothVolumes) {
  const auto run = run_sample("mounts-multistep.yaml", {"--set", "secret1=first-volume-value-41c9", "--set",
                                                        "secret2=second-volume-value-8d2e"});

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  EXPECT_EQ(run.step("acb_step_0").at("status"), "Successful") << run.describe();
  EXPECT_EQ(run.step("acb_step_1").at("status"), "Successful") << run.describe();
  // Step 1 printed the first value, step 2 both: the first value shows twice, the second once.
  const auto first = line_ending_with(run.log(), "first-volume-value-41c9");
  ASSERT_TRUE(first) << run.describe();
  EXPECT_TRUE(line_ending_with(run.log(), "first-volume-value-41c9", *first + 1)) << run.describe();
  EXPECT_TRUE(line_ending_with(run.log(), "second-volume-value-8d2e", *first + 1)) << run.describe();
}

TEST_F(SecretVolumeSample, MountsSecretsFailsClearlyWithoutKeyVaultAndNeverLogsTheSecret) {
  const std::string secret = "abcdefg123456";
  const auto run = run_sample("mounts-secrets.yaml", {"--set-secret", "mysecret=" + secret});

  // No Key Vault here: the run fails before the step, naming the secret it could not resolve.
  EXPECT_NE(run.exit_code(), 0) << run.describe();
  EXPECT_THAT(run.command.out + run.command.err, HasSubstr("sampleSecret")) << run.describe();
  EXPECT_THAT(run.command.out + run.command.err,
              AnyOf(HasSubstr("Key Vault"), HasSubstr("keyvault"), HasSubstr("vault.azure.net")))
      << run.describe();
  EXPECT_THAT(run.command.out + run.command.err, Not(HasSubstr(secret)));
}

}  // namespace
}  // namespace hangar::test
