#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/agent_config.hpp"
#include "config/agent_config_test_helper.hpp"

namespace hangar::config {
namespace {

using testing::AgentParse;
using testing::failsAt;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::parseAgent;
using testing::validAgent;

TEST(AgentConfigRegistries, CredentialForms) {
  const AgentConfig config = validAgent(R"(registries:
  - host: a.io
    auth: {username: u, passwordEnv: REG_PASSWORD}
  - host: b.io
    auth: {managedIdentity: {}}
  - host: c.io
    auth: {managedIdentity: {resourceId: /subscriptions/s/rg/id}}
  - host: d.io
    auth:
      servicePrincipal: {tenantId: t, clientId: c, certificateFile: /etc/hangar/sp.pem}
  - host: e.io
    auth:
      managedIdentity:
  - host: f.io
)");
  ASSERT_EQ(config.registries.size(), 6u);
  EXPECT_EQ(config.registries[0].auth->passwordEnv, "REG_PASSWORD");
  EXPECT_TRUE(config.registries[0].auth->passwordFile.empty());
  ASSERT_TRUE(config.registries[1].auth->managedIdentity);
  EXPECT_TRUE(config.registries[1].auth->managedIdentity->clientId.empty());
  EXPECT_EQ(config.registries[2].auth->managedIdentity->resourceId, "/subscriptions/s/rg/id");
  EXPECT_EQ(config.registries[3].auth->servicePrincipal->certificateFile, "/etc/hangar/sp.pem");
  EXPECT_TRUE(config.registries[4].auth->managedIdentity);
  EXPECT_FALSE(config.registries[5].auth);  // anonymous, or docker config
}

TEST(AgentConfigRegistries, InlineSecretsAreRefusedWithoutEchoingThem) {
  const AgentParse result = parseAgent(R"(registries:
  - host: a.io
    auth: {username: u, password: hunter2}
)");
  EXPECT_TRUE(
      failsAt(result, 3, 25,
              "inline secret 'password' in registries[0].auth is refused: agent.yaml never holds secrets; "
              "use passwordFile or passwordEnv"));
  EXPECT_THAT(result.diagnostics.str(), Not(HasSubstr("hunter2")));
  EXPECT_EQ(result.diagnostics.all().size(), 1u) << result.diagnostics.str();

  EXPECT_TRUE(
      failsAt(parseAgent("registries:\n  - host: a.io\n    auth:\n      servicePrincipal: {tenantId: t, "
                         "clientId: c, clientSecret: s3cr3t}\n"),
              4, 52, "inline secret 'clientSecret' in servicePrincipal is refused"));
  EXPECT_TRUE(
      failsAt(parseAgent("registries:\n  - host: a.io\n    token: abc\n"), 3, 5, "inline secret 'token'"));
}

TEST(AgentConfigRegistries, ASecretPastedIntoAReferenceFieldIsNotEchoed) {
  const AgentParse env =
      parseAgent("registries:\n  - host: a.io\n    auth: {username: u, passwordEnv: 'p@ss w0rd!'}\n");
  EXPECT_TRUE(failsAt(env, 3, 38, "'passwordEnv' must name an environment variable"));
  EXPECT_THAT(env.diagnostics.str(), Not(HasSubstr("p@ss")));
  const AgentParse file =
      parseAgent("registries:\n  - host: a.io\n    auth: {username: u, passwordFile: s3cr3t}\n");
  EXPECT_TRUE(failsAt(file, 3, 39, "'passwordFile' must be an absolute path"));
  EXPECT_THAT(file.diagnostics.str(), Not(HasSubstr("s3cr3t")));
}

TEST(AgentConfigRegistries, AuthMustChooseExactlyOneMethod) {
  EXPECT_TRUE(failsAt(parseAgent("registries:\n  - host: a.io\n    auth: {}\n"), 3, 5,
                      "registries[0].auth needs exactly one of username + passwordFile/passwordEnv, "
                      "managedIdentity or servicePrincipal"));
  EXPECT_TRUE(failsAt(parseAgent("registries:\n  - host: a.io\n    auth: {username: u, passwordEnv: P, "
                                 "managedIdentity: {}}\n"),
                      3, 5, "needs exactly one of"));
  EXPECT_TRUE(failsAt(parseAgent("registries:\n  - host: a.io\n    auth: {username: u}\n"), 3, 5,
                      "needs exactly one of passwordFile or passwordEnv for username 'u'"));
  EXPECT_TRUE(
      failsAt(parseAgent("registries:\n  - host: a.io\n    auth: {username: u, passwordEnv: P, passwordFile: "
                         "/p}\n"),
              3, 5, "exactly one of passwordFile or passwordEnv"));
  EXPECT_TRUE(failsAt(parseAgent("registries:\n  - host: a.io\n    auth: {passwordEnv: P}\n"), 3, 5,
                      "has a password but no 'username'"));
  EXPECT_TRUE(
      failsAt(parseAgent("registries:\n  - host: a.io\n    auth: {managedIdentity: {clientId: a, objectId: "
                         "b}}\n"),
              3, 12, "managedIdentity takes one of clientId, objectId or resourceId"));
  EXPECT_TRUE(
      failsAt(parseAgent("registries:\n  - host: a.io\n    auth: {servicePrincipal: {tenantId: t, clientId: "
                         "c}}\n"),
              3, 12,
              "servicePrincipal needs exactly one of clientSecretFile, clientSecretEnv or "
              "certificateFile, got 0"));
  EXPECT_TRUE(failsAt(parseAgent("registries:\n  - host: a.io\n    auth: {servicePrincipal: {clientId: c, "
                                 "clientSecretEnv: S}}\n"),
                      3, 12, "servicePrincipal needs 'tenantId'"));
  EXPECT_TRUE(failsAt(parseAgent("registries:\n  - host: a.io\n    auth: {managedIdentity: {clientID: x}}\n"),
                      3, 30, "unknown key 'clientID' in managedIdentity (did you mean 'clientId'?)"));
}

TEST(AgentConfigRegistries, HostsAreCheckedAndUnique) {
  EXPECT_TRUE(failsAt(parseAgent("registries:\n  - host: a.io\n  - host: a.io\n"), 3, 5,
                      "registry 'a.io' is listed twice"));
  EXPECT_TRUE(failsAt(parseAgent("registries:\n  - host: https://a.io\n"), 2, 11,
                      "'host' must be a registry host[:port] without scheme or path"));
  EXPECT_TRUE(failsAt(parseAgent("registries:\n  - insecure: true\n"), 2, 5, "registries[0] needs 'host'"));
  EXPECT_TRUE(failsAt(parseAgent("registries:\n  - a.io\n"), 2, 5, "registries[0] must be a map"));
  EXPECT_TRUE(failsAt(parseAgent("registries:\n  - host: a.io\n    insecure: maybe\n"), 3, 15,
                      "'insecure' must be true or false"));
  EXPECT_TRUE(failsAt(parseAgent("registries: {host: a.io}\n"), 1, 13, "'registries' must be a list"));
}

}  // namespace
}  // namespace hangar::config
