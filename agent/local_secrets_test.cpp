// Task `secrets:` from agent-local files and variables (agent.yaml `secrets:`): precedence --secret >
// agent-local > Key Vault, and a local secret never reaches Key Vault. A play IMDS and Key Vault on
// loopback count the requests.
#include "agent/local_secrets.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "agent/run_request_resolution.hpp"
#include "agent/task_preparation.hpp"
#include "config/task_loader.hpp"
#include "tests/support/azure_play_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr const char* kTask = R"(secrets:
  - id: fromVault
    keyvault: https://myvault.vault.azure.net/secrets/db-password
  - id: fromFile
    keyvault: https://myvault.vault.azure.net/secrets/npm-token
  - id: fromEnv
    keyvault: https://myvault.vault.azure.net/secrets/other
  - id: fromFlag
    keyvault: https://myvault.vault.azure.net/secrets/flag
steps:
  - cmd: bash echo hi
    env: ["A={{.Secrets.fromVault}}", "B={{.Secrets.fromFile}}", "C={{.Secrets.fromEnv}}", "D={{.Secrets.fromFlag}}"]
)";

class LocalSecrets : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("acb.yaml", kTask);
    options_.context = dir_.path().string();
    options_.azure = registry::AzureEndpoints{server_.url(), server_.url(), server_.url()};
    server_.addSecret("db-password", "vault-value-7f3a");
    server_.addSecret("npm-token", "vault-npm-must-not-be-used");
    ::setenv("HANGAR_TEST_LOCAL_SECRET", "env-value-55", 1);
    // By Key Vault URL (with a trailing slash: ignored), by id, and one the flag overrides.
    options_.localSecrets = {source("", "https://myvault.vault.azure.net/secrets/npm-token/",
                                    secretFile("npm", "file-value-\n"), ""),
                             source("fromEnv", "", "", "HANGAR_TEST_LOCAL_SECRET"),
                             source("fromFlag", "", secretFile("flag", "local-loses-to-flag"), "")};
    options_.secrets = {"fromFlag=flag-value-12"};
  }
  void TearDown() override { ::unsetenv("HANGAR_TEST_LOCAL_SECRET"); }

  std::string secretFile(const std::string& name, const std::string& value) {
    auto path = dir_.write("secrets/" + name, value);
    ::chmod(path.c_str(), 0600);
    return path.string();
  }
  static config::LocalSecretSettings source(std::string id, std::string keyVault, std::string file,
                                            std::string env) {
    config::LocalSecretSettings secret;
    secret.id = std::move(id);
    secret.keyVault = std::move(keyVault);
    secret.valueFile = std::move(file);
    secret.valueEnv = std::move(env);
    secret.position = {"agent.yaml", 3, 5};
    return secret;
  }

  test::AzurePlayServer server_;
  test::TempDir dir_{"hangar-local-secrets"};
  RunOnceOptions options_;
};

TEST_F(LocalSecrets, FlagBeatsLocalBeatsKeyVaultAndLocalOnesNeverAskKeyVault) {
  PreparedTask prepared = prepareTask(options_, "ls1");
  config::LoadedTask loaded = config::loadTask(prepared.load);
  ASSERT_THAT(loaded.task.steps, SizeIs(1));
  const auto& env = loaded.task.steps[0].env;
  EXPECT_THAT(env, Contains("A=vault-value-7f3a"));
  EXPECT_THAT(env, Contains("B=file-value- "));  // YAML folds the newline inside the quoted env entry
  EXPECT_THAT(*prepared.resolvedSecretValues, Contains("file-value-\n"));  // the file's exact bytes
  EXPECT_THAT(env, Contains("C=env-value-55"));
  EXPECT_THAT(env, Contains("D=flag-value-12"));
  const auto fetched = server_.requests("/secrets/");
  ASSERT_THAT(fetched, SizeIs(1));  // only db-password
  EXPECT_THAT(fetched[0].path, HasSubstr("db-password"));

  runner::RunRequest request = makeRunRequest(options_, prepared, loaded.task, "ls1", dir_.path() / "work");
  for (const char* value : {"vault-value-7f3a", "file-value-\n", "env-value-55", "flag-value-12"})
    EXPECT_THAT(request.secretValues, Contains(value));  // masked in every log
}

TEST_F(LocalSecrets, WithoutKeyVaultLocalSourcesStillResolve) {
  options_.azure.reset();
  PreparedTask prepared = prepareTask(options_, "ls2");
  config::LoadedTask loaded = config::loadTask(prepared.load);
  EXPECT_THAT(*prepared.resolvedSecretValues, Contains("file-value-\n"));
  EXPECT_THAT(loaded.task.steps[0].env, Contains("C=env-value-55"));
  EXPECT_THAT(loaded.task.steps[0].env, Contains("A="));
  EXPECT_THAT(server_.requests(), IsEmpty());
}

TEST_F(LocalSecrets, AnOpenFileFailsTheRunNamingTheSecretAndFileButNoValue) {
  auto open = secretFile("open", "world-readable-v4lue");
  ::chmod(open.c_str(), 0644);
  options_.localSecrets[0].valueFile = open;
  PreparedTask prepared = prepareTask(options_, "ls3");
  try {
    config::loadTask(prepared.load);
    FAIL() << "a world-readable secret file was used";
  } catch (const SecretResolutionError& e) {
    EXPECT_THAT(e.what(),
                AllOf(HasSubstr("secret 'fromFile' from the agent configuration (agent.yaml:3)"),
                      HasSubstr(open), HasSubstr("mode 0644"), Not(HasSubstr("world-readable-v4lue"))));
  }
  EXPECT_THAT(server_.requests("/secrets/"), IsEmpty());  // nothing fetched once a local source failed
}

TEST_F(LocalSecrets, TheServiceTakesSecretsAndGitCredentialsFromAgentYaml) {
  config::AgentConfig config;
  config.secrets = options_.localSecrets;
  config::GitCredentialSettings git;
  git.host = "dev.azure.com";
  git.tokenEnv = "ADO_PAT";
  config.gitCredentials = {git};
  config.azure.keyVaultEndpoint = server_.url();
  RunRequestMessage message;
  message.taskFile = "acb.yaml";
  message.context = dir_.path().string();
  RunOnceOptions options = resolveRunOptions(config, message);
  ASSERT_THAT(options.localSecrets, SizeIs(3));
  EXPECT_EQ(options.localSecrets[1].valueEnv, "HANGAR_TEST_LOCAL_SECRET");
  ASSERT_THAT(options.gitCredentials, SizeIs(1));
  EXPECT_EQ(options.gitCredentials[0].host, "dev.azure.com");
  ASSERT_TRUE(options.azure.has_value());
  EXPECT_EQ(options.azure->keyVaultUrlRewrite, server_.url());
}

}  // namespace
}  // namespace hangar::agent
