// agent.yaml `secrets:` (agent-local task secrets) and `gitCredentials:`.
#include <gtest/gtest.h>

#include "config/agent_config_test_helper.hpp"

namespace hangar::config {
namespace {

using testing::AgentParse;
using testing::failsAt;
using testing::parseAgent;
using testing::validAgent;

TEST(AgentConfigSecrets, ReadsIdAndKeyVaultEntries) {
  AgentConfig config = validAgent(
      "secrets:\n"
      "  - {id: npmToken, valueFile: /etc/hangar/secrets/npm}\n"
      "  - keyvault: https://myvault.vault.azure.net/secrets/db-password\n"
      "    valueEnv: DB_PASSWORD\n");
  ASSERT_EQ(config.secrets.size(), 2u);
  EXPECT_EQ(config.secrets[0].id, "npmToken");
  EXPECT_EQ(config.secrets[0].valueFile, "/etc/hangar/secrets/npm");
  EXPECT_EQ(config.secrets[0].position.line, 2);
  EXPECT_EQ(config.secrets[1].keyVault, "https://myvault.vault.azure.net/secrets/db-password");
  EXPECT_EQ(config.secrets[1].valueEnv, "DB_PASSWORD");
  EXPECT_TRUE(config.secrets[1].valueFile.empty());
}

TEST(AgentConfigSecrets, UnknownKeyIsAnErrorAtItsPosition) {
  EXPECT_TRUE(failsAt(parseAgent("secrets:\n  - id: a\n    valueFil: /x\n"), 3, 5,
                      "unknown key 'valueFil' in secrets[0]"));
}

TEST(AgentConfigSecrets, InlineValueIsRefusedWithoutEchoingIt) {
  AgentParse result = parseAgent("secrets:\n  - id: a\n    value: hunter2-inline\n");
  EXPECT_TRUE(failsAt(result, 3, 5, "inline secret 'value' in secrets[0] is refused"));
  EXPECT_EQ(result.diagnostics.str().find("hunter2-inline"), std::string::npos);
}

TEST(AgentConfigSecrets, NeedsExactlyOneMatchAndOneSource) {
  EXPECT_TRUE(failsAt(parseAgent("secrets:\n  - {valueFile: /x}\n"), 2, 5, "exactly one of 'id'"));
  EXPECT_TRUE(failsAt(
      parseAgent("secrets:\n  - {id: a, keyvault: 'https://v.vault.azure.net/secrets/a', valueEnv: A}\n"), 2,
      5, "exactly one of 'id'"));
  EXPECT_TRUE(
      failsAt(parseAgent("secrets:\n  - {id: a}\n"), 2, 5, "exactly one of valueFile or valueEnv, got 0"));
  EXPECT_TRUE(failsAt(parseAgent("secrets:\n  - {id: a, valueFile: /x, valueEnv: A}\n"), 2, 5,
                      "exactly one of valueFile or valueEnv, got 2"));
}

TEST(AgentConfigSecrets, ChecksPathsNamesUrlsAndDuplicates) {
  AgentParse relative = parseAgent("secrets:\n  - {id: a, valueFile: secret-as-path}\n");
  EXPECT_TRUE(failsAt(relative, 2, 24, "'valueFile' must be an absolute path"));
  EXPECT_EQ(relative.diagnostics.str().find("secret-as-path"), std::string::npos);
  EXPECT_TRUE(failsAt(parseAgent("secrets:\n  - {id: a, valueEnv: 'not a name'}\n"), 2, 23,
                      "'valueEnv' must name an environment variable"));
  EXPECT_TRUE(failsAt(parseAgent("secrets:\n  - {keyvault: 'http://v/secrets/a', valueEnv: A}\n"), 2, 16,
                      "'keyvault' must be the https:// URL"));
  EXPECT_TRUE(failsAt(parseAgent("secrets:\n  - {id: 'a b', valueEnv: A}\n"), 2, 10, "white space"));
  EXPECT_TRUE(failsAt(parseAgent("secrets:\n  - {id: a, valueEnv: A}\n  - {id: a, valueEnv: B}\n"), 3, 5,
                      "id 'a' is listed twice"));
  EXPECT_TRUE(failsAt(parseAgent("secrets:\n  - just-a-string\n"), 2, 5, "secrets[0] must be a map"));
  EXPECT_TRUE(failsAt(parseAgent("secrets: {id: a}\n"), 1, 10, "secrets"));
}

TEST(AgentConfigGitCredentials, ReadsEachCredentialForm) {
  AgentConfig config = validAgent(
      "gitCredentials:\n"
      "  - {host: dev.azure.com, username: build, passwordFile: /etc/hangar/ado.pw}\n"
      "  - {urlPrefix: 'https://github.example.com/org/', tokenEnv: GHE_TOKEN}\n"
      "  - host: '127.0.0.1:2222'\n"
      "    sshKeyFile: /etc/hangar/id_ed25519\n"
      "    sshPassphraseEnv: KEY_PASS\n"
      "    sshHostKey: SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n");
  ASSERT_EQ(config.gitCredentials.size(), 3u);
  EXPECT_EQ(config.gitCredentials[0].host, "dev.azure.com");
  EXPECT_EQ(config.gitCredentials[0].username, "build");
  EXPECT_EQ(config.gitCredentials[0].passwordFile, "/etc/hangar/ado.pw");
  EXPECT_EQ(config.gitCredentials[1].urlPrefix, "https://github.example.com/org/");
  EXPECT_EQ(config.gitCredentials[1].tokenEnv, "GHE_TOKEN");
  EXPECT_EQ(config.gitCredentials[2].host, "127.0.0.1:2222");
  EXPECT_EQ(config.gitCredentials[2].sshKeyFile, "/etc/hangar/id_ed25519");
  EXPECT_EQ(config.gitCredentials[2].sshPassphraseEnv, "KEY_PASS");
  EXPECT_EQ(config.gitCredentials[2].sshHostKey, "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
  EXPECT_EQ(config.gitCredentials[2].position.line, 4);
}

TEST(AgentConfigGitCredentials, ErrorsCarryTheirPosition) {
  EXPECT_TRUE(failsAt(parseAgent("gitCredentials:\n  - {host: h, tokenFile: /t, hots: x}\n"), 2, 30,
                      "unknown key 'hots' in gitCredentials[0]"));
  AgentParse inline_ = parseAgent("gitCredentials:\n  - host: h\n    token: ghp_inline\n");
  EXPECT_TRUE(failsAt(inline_, 3, 5, "inline secret 'token' in gitCredentials[0] is refused"));
  EXPECT_EQ(inline_.diagnostics.str().find("ghp_inline"), std::string::npos);
  EXPECT_TRUE(failsAt(parseAgent("gitCredentials:\n  - {tokenFile: /t}\n"), 2, 5,
                      "exactly one of 'host' or 'urlPrefix'"));
  EXPECT_TRUE(
      failsAt(parseAgent("gitCredentials:\n  - {host: h, tokenFile: /t, passwordEnv: P, username: u}\n"), 2,
              5, "exactly one of passwordFile, passwordEnv, tokenFile, tokenEnv or sshKeyFile, got 2"));
  EXPECT_TRUE(failsAt(parseAgent("gitCredentials:\n  - {host: h, passwordEnv: P}\n"), 2, 5,
                      "has a password but no 'username'"));
  EXPECT_TRUE(failsAt(parseAgent("gitCredentials:\n  - {host: h, tokenEnv: T, sshPassphraseEnv: P}\n"), 2, 28,
                      "apply only with sshKeyFile"));
  EXPECT_TRUE(failsAt(parseAgent("gitCredentials:\n  - {host: h, sshKeyFile: /k, sshHostKey: 'MD5:ab:cd'}\n"),
                      2, 43, "'sshHostKey' must be a SHA256 fingerprint"));
  EXPECT_TRUE(failsAt(parseAgent("gitCredentials:\n  - {host: 'https://h', tokenEnv: T}\n"), 2, 12,
                      "'host' must be a host[:port]"));
  EXPECT_TRUE(failsAt(parseAgent("gitCredentials:\n  - {urlPrefix: 'https://u:p@h/', tokenEnv: T}\n"), 2, 17,
                      "must not hold user info"));
  EXPECT_TRUE(failsAt(parseAgent("gitCredentials:\n  - {urlPrefix: 'h/org', tokenEnv: T}\n"), 2, 17,
                      "'urlPrefix' must start with https://"));
  EXPECT_TRUE(failsAt(parseAgent("gitCredentials:\n  - {host: h, tokenEnv: T}\n  - {host: h, tokenEnv: U}\n"),
                      3, 5, "host h is listed twice"));
}

}  // namespace
}  // namespace hangar::config
