// `hangar doctor`: the real binary against a real registry and the play server's firewall 403.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "tests/support/azure_play_server.hpp"
#include "tests/support/client_assertion_check.hpp"
#include "tests/support/command.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {
namespace {

using ::testing::HasSubstr;

TEST(DoctorTest, JsonReportOnAHealthyRegistryExitsZero) {
  LocalRegistry registry;
  TempDir dir("hangar-doctor");
  const auto result =
      run_hangar({"doctor", "--registry", registry.host(), "--check-push", "--output", "json", "--state-dir",
                  dir.path().string(), "--docker-config", (dir.path() / "config.json").string()});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto report = nlohmann::json::parse(result.out);
  EXPECT_EQ(report.at("ok"), true);
  std::set<std::string> names;
  for (const auto& check : report.at("checks")) names.insert(check.at("name"));
  for (const char* name : {"engine", "engine storage", "registry DNS", "registry TCP connect",
                           "registry /v2/ endpoint", "registry pull permission", "registry push permission"})
    EXPECT_TRUE(names.contains(name)) << name << "\n" << result.out;
}

TEST(DoctorTest, FirewallDenialExplainedInPlainWordsAndExitsOne) {
  AzurePlayServer acr;
  acr.denyClientIp("198.51.100.23");
  TempDir dir("hangar-doctor");
  const auto result = run_hangar({"doctor", "--registry", "127.0.0.1:" + std::to_string(acr.port()),
                                  "--state-dir", dir.path().string()});
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.out, HasSubstr("[FAIL] registry /v2/ endpoint: HTTP 403 DENIED: client with IP "
                                    "'198.51.100.23' is not allowed access"));
  EXPECT_THAT(result.out, HasSubstr("fix: the registry's firewall"));
  EXPECT_THAT(result.out, HasSubstr("Some checks failed."));
}

TEST(DoctorTest, ARegistryLoginFromTheAgentConfigurationIsCheckedAsARunWouldUseIt) {
  LocalRegistry registry(RegistryLogin{"builder", "Doc-Pa55-81c"});
  TempDir dir("hangar-doctor");
  const auto password = dir.write("password", "Doc-Pa55-81c\n");
  ::chmod(password.c_str(), 0600);
  const auto agentConfig = dir.write("agent.yaml", "registries:\n  - host: " + registry.host() +
                                                       "\n    auth:\n      username: builder\n"
                                                       "      passwordFile: " +
                                                       password.string() + "\n");
  const std::vector<std::string> args = {"doctor",
                                         "--config",
                                         agentConfig.string(),
                                         "--registry",
                                         registry.host(),
                                         "--state-dir",
                                         dir.path().string(),
                                         "--docker-config",
                                         (dir.path() / "none.json").string()};

  const auto result = run_hangar(args);
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.out,
              HasSubstr("[PASS] registry credentials: a username and password for " + registry.host() +
                        " from agent.yaml registries: (" + agentConfig.string() + ":2:"));
  EXPECT_THAT(result.out, HasSubstr("[PASS] registry pull permission"));
  EXPECT_THAT(result.out + result.err, ::testing::Not(HasSubstr("Doc-Pa55-81c")));

  ::chmod(password.c_str(), 0644);  // as a run would, doctor refuses a password file others can read
  const auto refused = run_hangar(args);
  EXPECT_EQ(refused.exit_code, 1) << refused.describe();
  EXPECT_THAT(refused.out,
              HasSubstr("[FAIL] registry credentials: reading credentials from agent.yaml registries: ("));
  EXPECT_THAT(refused.out, HasSubstr("cannot log in to registry " + registry.host()));
}

TEST(DoctorTest, AServicePrincipalWithACertificateIsCheckedAndUsedForTheRegistry) {
  AzurePlayServer acr;  // plays AAD and the registry's token exchange on one loopback port
  const std::string host = "127.0.0.1:" + std::to_string(acr.port());
  acr.setAcrService(host);
  const auto certificate = makeTestCertificate("doctor-sp");
  acr.addServicePrincipalCertificate("play-tenant", "sp-doctor", certificate.certificatePem);
  TempDir dir("hangar-doctor");
  const auto pem = dir.write("sp.pem", certificate.combinedPem());
  const auto agentConfig =
      dir.write("agent.yaml", "azure:\n  imdsEndpoint: " + acr.url() + "\n  authorityHost: " + acr.url() +
                                  "\nregistries:\n  - host: " + host +
                                  "\n    auth:\n      servicePrincipal:\n        tenantId: play-tenant\n"
                                  "        clientId: sp-doctor\n        certificateFile: " +
                                  pem.string() + "\n");
  const auto result =
      run_hangar({"doctor", "--config", agentConfig.string(), "--registry", host, "--state-dir",
                  dir.path().string(), "--docker-config", (dir.path() / "none.json").string()});
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.out, HasSubstr("[PASS] " + host + " service principal token: token obtained"));
  EXPECT_THAT(result.out, HasSubstr("[PASS] registry credentials"));
  EXPECT_THAT(result.out, HasSubstr("[PASS] registry /v2/ endpoint"));
  EXPECT_EQ(acr.requests("/play-tenant/oauth2/v2.0/token").size(), 2u);  // its own check, then the login
  EXPECT_EQ(acr.requests("/oauth2/exchange").size(), 1u);                // one login for every check
  const std::string output = result.out + result.err;
  EXPECT_THAT(output, ::testing::Not(HasSubstr(certificate.privateKeyPem.substr(28, 40))));
  for (const auto& token : acr.issuedTokens()) EXPECT_THAT(output, ::testing::Not(HasSubstr(token)));
}

}  // namespace
}  // namespace hangar::test
