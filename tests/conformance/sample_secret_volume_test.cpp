// Conformance, task-format.md §6 examples 12-13: secret volumes mounted into cmd steps.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/conformance/conformance_fixture.hpp"
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
  // `cat` fails on a missing file: both steps succeeding means every mount was at its mountPath.
  EXPECT_EQ(run.step("acb_step_0").at("status"), "Successful") << run.describe();
  EXPECT_EQ(run.step("acb_step_1").at("status"), "Successful") << run.describe();
  // Volume secrets are secrets: Hangar masks what the steps printed (acb does not, task-format.md §3).
  const auto first = run.log().find("***");
  ASSERT_NE(first, std::string::npos) << run.describe();
  EXPECT_NE(run.log().find("***", run.log().find('\n', first)), std::string::npos) << run.describe();
  EXPECT_THAT(run.log(), Not(HasSubstr("first-volume-value-41c9")));
  EXPECT_THAT(run.log(), Not(HasSubstr("second-volume-value-8d2e")));
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
