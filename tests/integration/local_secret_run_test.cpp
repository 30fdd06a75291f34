// End to end: `hangar run-once --config agent.yaml` takes a task secret from an agent-local file
// (agent.yaml `secrets:`) instead of Key Vault; a step echoing it shows only ***, and the play Key
// Vault on loopback is never asked for it. Real buildah and a loopback registry holding a busybox base.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "tests/support/azure_play_server.hpp"
#include "tests/support/busybox_image.hpp"
#include "tests/support/command.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/stand_in_images.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr const char* kLocalValue = "agent-local-Pa55/word";  // the file's exact bytes (no newline)

constexpr const char* kTask =
    "version: v1.1.0\n"
    "secrets:\n"
    "  - id: deployKey\n"
    "    keyvault: https://myvault.vault.azure.net/secrets/deploy-key\n"
    "steps:\n"
    "  - cmd: $Registry/base/busybox:1 sh -c 'echo key=[{{.Secrets.deployKey}}]; echo step-done'\n";

class LocalSecretRun : public ::testing::Test {
 protected:
  void SetUp() override {
    build_and_push_busybox_image(busybox_base_image(), registry_.host() + "/base/busybox:1");
    context_.write("acr-task.yaml", kTask);
    auto secret = config_.write("secrets/deploy-key", kLocalValue);
    ::chmod(secret.c_str(), 0600);
    config_.write("agent.yaml",
                  "azure:\n"
                  "  imdsEndpoint: " +
                      azure_.url() +
                      "\n"
                      "  keyVaultEndpoint: " +
                      azure_.url() +
                      "\n"
                      "secrets:\n"
                      "  - keyvault: https://myvault.vault.azure.net/secrets/deploy-key\n"
                      "    valueFile: " +
                      secret.string() + "\n");
    azure_.addSecret("deploy-key", "vault-value-must-not-be-used");
  }
  void TearDown() override { remove_local_images(registry_.host() + "/"); }

  CommandResult runOnce(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"run-once",
                                     "-f",
                                     "acr-task.yaml",
                                     "--registry",
                                     registry_.host(),
                                     "--state-dir",
                                     state_.path().string(),
                                     "--config",
                                     (config_.path() / "agent.yaml").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(context_.path().string());
    CommandOptions options;
    options.timeout = std::chrono::minutes(5);
    options.unset_env = {"HANGAR_AZURE_IMDS_ENDPOINT", "HANGAR_AZURE_KEYVAULT_ENDPOINT"};
    return run_hangar(args, options);
  }

  AzurePlayServer azure_;
  LocalRegistry registry_;
  TempDir context_{"hangar-local-secret"};
  TempDir config_{"hangar-local-secret-config"};
  TempDir state_{"hangar-local-secret-state"};
};

TEST_F(LocalSecretRun, TheFileValueIsUsedMaskedAndKeyVaultIsNotAsked) {
  const auto result = runOnce({"--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.err, HasSubstr("step-done"));
  EXPECT_THAT(result.err, HasSubstr("key=[***]"));  // exactly the file's bytes: no newline inside [...]
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kLocalValue)));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr("vault-value")));
  const auto record = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(record.is_discarded()) << result.describe();
  EXPECT_EQ(record.at("status"), "Succeeded");
  EXPECT_THAT(azure_.requests("/secrets/"), IsEmpty());
}

TEST_F(LocalSecretRun, AWorldReadableFileStopsTheRunBeforeAnyStep) {
  ::chmod((config_.path() / "secrets" / "deploy-key").c_str(), 0644);
  const auto result = runOnce();

  EXPECT_NE(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.out + result.err, HasSubstr("secret 'deployKey' from the agent configuration"));
  EXPECT_THAT(result.out + result.err, HasSubstr("mode 0644"));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr("step-done")));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kLocalValue)));
  EXPECT_THAT(azure_.requests("/secrets/"), IsEmpty());
}

TEST_F(LocalSecretRun, AConfigErrorIsReportedWithItsPosition) {
  config_.write("agent.yaml", "secrets:\n  - id: deployKey\n    valueFiel: /x\n");
  const auto result = runOnce();

  EXPECT_EQ(result.exit_code, 2) << result.describe();
  EXPECT_THAT(result.err, HasSubstr("agent.yaml:3:5: error: unknown key 'valueFiel' in secrets[0]"));
}

}  // namespace
}  // namespace hangar::test
