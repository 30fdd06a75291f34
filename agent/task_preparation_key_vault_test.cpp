// prepareTask's Key Vault seam: task `secrets:` resolve through a play IMDS and Key Vault on loopback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/task_preparation.hpp"
#include "config/task_loader.hpp"
#include "tests/support/azure_play_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

constexpr const char* kClientId = "11111111-2222-3333-4444-555555555555";

constexpr const char* kTask = R"(secrets:
  - id: fromVault
    keyvault: https://myvault.vault.azure.net/secrets/db-password
    clientID: 11111111-2222-3333-4444-555555555555
  - id: local
    keyvault: https://myvault.vault.azure.net/secrets/local
steps:
  - cmd: bash echo hi
    env: ["A={{.Secrets.fromVault}}", "B={{.Secrets.local}}"]
)";

class KeyVaultPreparation : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("acb.yaml", kTask);
    options_.context = dir_.path().string();
    options_.azure = registry::AzureEndpoints{server_.url(), server_.url(), server_.url()};
    server_.addManagedIdentity(kClientId);
  }

  test::AzurePlayServer server_;
  test::TempDir dir_;
  RunOnceOptions options_;
};

TEST_F(KeyVaultPreparation, SecretsNotGivenLocallyComeFromKeyVaultAndAreMasked) {
  server_.addSecret("db-password", "vault-value-7f3a");
  options_.secrets = {"local=given-value-91"};
  PreparedTask prepared = prepareTask(options_, "kv1");
  config::LoadedTask loaded = config::loadTask(prepared.load);

  ASSERT_THAT(loaded.task.steps, SizeIs(1));
  EXPECT_THAT(loaded.task.steps[0].env, Contains("A=vault-value-7f3a"));
  EXPECT_THAT(loaded.task.steps[0].env, Contains("B=given-value-91"));
  // Only the secret not given with --secret was fetched, with the task's user-assigned identity.
  EXPECT_THAT(server_.requests("/secrets/"), SizeIs(1));
  const auto tokens = server_.requests("/metadata/identity");
  ASSERT_THAT(tokens, SizeIs(1));
  EXPECT_EQ(tokens[0].query.at("client_id"), kClientId);

  runner::RunRequest request = makeRunRequest(options_, prepared, loaded.task, "kv1", dir_.path() / "work");
  EXPECT_THAT(request.secretValues, Contains("vault-value-7f3a"));
  EXPECT_THAT(request.secretValues, Contains("given-value-91"));
}

TEST_F(KeyVaultPreparation, AFailureNamesTheSecretAndItsVaultButNoToken) {
  options_.secrets = {"local=given-value-91"};  // fromVault: the vault has no db-password
  PreparedTask prepared = prepareTask(options_, "kv2");
  try {
    config::loadTask(prepared.load);
    FAIL() << "the missing secret was not reported";
  } catch (const SecretResolutionError& e) {
    EXPECT_THAT(e.what(), HasSubstr("failed to resolve secrets: secret 'fromVault' in Key Vault "
                                    "myvault.vault.azure.net:"));
    EXPECT_THAT(e.what(), Not(HasSubstr("eyJ")));  // no JWT
    EXPECT_THAT(e.what(), Not(HasSubstr("given-value-91")));
  }
}

TEST_F(KeyVaultPreparation, WithoutAzureEndpointsNothingIsFetched) {
  options_.azure.reset();  // validate and render: no network
  PreparedTask prepared = prepareTask(options_, "kv3");
  config::LoadedTask loaded = config::loadTask(prepared.load);
  EXPECT_THAT(loaded.task.steps[0].env, Contains("A="));
  EXPECT_THAT(server_.requests(), SizeIs(0));
  EXPECT_NE(unresolvedSecretsError(loaded.task, prepared.load.data.secrets), std::nullopt);
}

}  // namespace
}  // namespace hangar::agent
