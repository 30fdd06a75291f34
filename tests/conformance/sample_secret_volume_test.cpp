// Conformance, task-format.md §6 examples 12-13: secret volumes mounted into cmd steps.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/conformance/conformance_fixture.hpp"
#include "tests/support/azure_play_server.hpp"
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

TEST_F(SecretVolumeSample, MountsSecretsReadsTheKeyVaultSecretAndMasksBothValues) {
  // The sample's vault URL (https://myacbvault2.vault.azure.net/secrets/SampleSecret) is served by a
  // play Key Vault, with a token of the system-assigned identity from a play IMDS.
  AzurePlayServer azure;
  const std::string vaultValue = "kv-sample-secret-5e1d";
  const std::string setValue = "abcdefg123456";
  azure.addSecret("SampleSecret", vaultValue);
  use_azure(azure.url());
  const auto run = run_sample("mounts-secrets.yaml", {"--set-secret", "mysecret=" + setValue});

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  EXPECT_EQ(run.step("acb_step_0").at("status"), "Successful") << run.describe();
  ASSERT_EQ(azure.requests("/secrets/SampleSecret").size(), 1u);
  EXPECT_EQ(azure.requests("/metadata/identity").at(0).query.count("client_id"), 0u);  // system-assigned
  // `cat` printed both files (no newline between them, so the two masks merge into one `***`):
  // masked, neither value (nor its base64 form) anywhere.
  EXPECT_THAT(run.log(), HasSubstr("***")) << run.describe();
  for (const std::string& value : {vaultValue, setValue, std::string("a3Ytc2FtcGxlLXNlY3JldC01ZTFk")}) {
    EXPECT_THAT(run.command.out + run.command.err, Not(HasSubstr(value))) << value;
  }
}

TEST_F(SecretVolumeSample, MountsSecretsFailsNamingTheSecretAndVaultWhenTheVaultLacksIt) {
  AzurePlayServer azure;  // IMDS answers; the vault has no SampleSecret
  use_azure(azure.url());
  const auto run = run_sample("mounts-secrets.yaml", {"--set-secret", "mysecret=abcdefg123456"});

  EXPECT_EQ(run.exit_code(), 1) << run.describe();
  EXPECT_EQ(run.step("acb_step_0").at("status"), "Skipped") << run.describe();
  EXPECT_THAT(run.record.at("error").get<std::string>(),
              HasSubstr("secret 'sampleSecret' in Key Vault myacbvault2.vault.azure.net"))
      << run.describe();
  EXPECT_THAT(run.command.out + run.command.err, Not(HasSubstr("abcdefg123456")));
}

}  // namespace
}  // namespace hangar::test
