// `hangar doctor`'s checks of Azure credential sources against the loopback IMDS / AAD play server.
#include "registry/azure_credential_doctor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/azure_play_server.hpp"
#include "tests/support/client_assertion_check.hpp"
#include "tests/support/free_port.hpp"

namespace hangar::registry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Status = DoctorCheck::Status;

AzureCredentialSource managedIdentity(const std::string& imdsUrl, ManagedIdentityId id = {}) {
  AzureCredentialSource source;
  source.kind = AzureCredentialSource::Kind::ManagedIdentity;
  source.identity = std::move(id);
  source.endpoints.imdsUrl = imdsUrl;
  return source;
}

AzureCredentialSource servicePrincipal(const std::string& authority, const std::string& secret) {
  AzureCredentialSource source;
  source.kind = AzureCredentialSource::Kind::ServicePrincipal;
  source.tenantId = "play-tenant";
  source.clientId = "sp-client";
  source.clientSecret = secret;
  source.endpoints.authorityHost = authority;
  return source;
}

// No check's text may hold a token the play server issued or the secret.
void expectNoSecrets(const std::vector<DoctorCheck>& checks, const test::AzurePlayServer& play,
                     const std::string& secret) {
  for (const auto& check : checks) {
    const std::string text = check.name + " " + check.detail + " " + check.hint;
    EXPECT_THAT(text, Not(HasSubstr("eyJ")));  // the start of any JWT
    if (!secret.empty()) {
      EXPECT_THAT(text, Not(HasSubstr(secret)));
    }
    for (const auto& request : play.requests()) {
      for (const auto& [name, value] : request.headers) {
        if (name == "authorization") {
          EXPECT_THAT(text, Not(HasSubstr(value.substr(value.find(' ') + 1))));
        }
      }
    }
  }
}

TEST(AzureCredentialDoctor, ManagedIdentityReachableAndTokenObtained) {
  test::AzurePlayServer play;
  play.addManagedIdentity("user-assigned-1");
  for (const auto& id :
       {ManagedIdentityId::systemAssigned(), ManagedIdentityId::byClientId("user-assigned-1")}) {
    const auto checks = diagnoseAzureCredential(managedIdentity(play.url(), id));
    ASSERT_EQ(checks.size(), 2u);
    EXPECT_EQ(checks[0].name, "IMDS reachable");
    EXPECT_EQ(checks[0].status, Status::Pass) << checks[0].detail;
    EXPECT_EQ(checks[1].name, "managed identity token");
    EXPECT_EQ(checks[1].status, Status::Pass) << checks[1].detail;
    EXPECT_THAT(checks[1].detail, HasSubstr("token obtained for https://containerregistry.azure.net"));
    expectNoSecrets(checks, play, "");
  }
  const auto tokenRequests = play.requests("/metadata/identity/oauth2/token");
  ASSERT_EQ(tokenRequests.size(), 2u);
  EXPECT_EQ(tokenRequests[1].query.at("client_id"), "user-assigned-1");
  EXPECT_EQ(tokenRequests[1].headers.at("metadata"), "true");
}

TEST(AzureCredentialDoctor, UnknownManagedIdentityFailsWithTheReasonAndAFix) {
  test::AzurePlayServer play;
  const auto checks =
      diagnoseAzureCredential(managedIdentity(play.url(), ManagedIdentityId::byClientId("nobody")));
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].status, Status::Pass);
  EXPECT_EQ(checks[1].status, Status::Fail);
  EXPECT_THAT(checks[1].detail, HasSubstr("Identity not found"));
  EXPECT_THAT(checks[1].hint, HasSubstr("client_id nobody"));
  EXPECT_THAT(checks[1].hint, HasSubstr("AcrPull"));
}

TEST(AzureCredentialDoctor, UnreachableImdsSkipsTheTokenCheck) {
  const auto checks = diagnoseAzureCredential(
      managedIdentity("http://127.0.0.1:" + std::to_string(test::pick_free_loopback_port())));
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].status, Status::Fail);
  EXPECT_THAT(checks[0].hint, HasSubstr("169.254.169.254"));
  EXPECT_EQ(checks[1].status, Status::Skip);
}

TEST(AzureCredentialDoctor, ServicePrincipalTokenFromTheAadEndpoint) {
  test::AzurePlayServer play;
  play.addServicePrincipal("play-tenant", "sp-client", "the-secret-value");
  auto checks = diagnoseAzureCredential(servicePrincipal(play.url(), "the-secret-value"));
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].name, "AAD token endpoint reachable");
  EXPECT_EQ(checks[0].status, Status::Pass) << checks[0].detail;
  EXPECT_EQ(checks[1].name, "service principal token");
  EXPECT_EQ(checks[1].status, Status::Pass) << checks[1].detail;
  expectNoSecrets(checks, play, "the-secret-value");

  checks = diagnoseAzureCredential(servicePrincipal(play.url(), "a-wrong-secret"));
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[1].status, Status::Fail);
  EXPECT_THAT(checks[1].hint, HasSubstr("sp-client"));
  expectNoSecrets(checks, play, "a-wrong-secret");
  expectNoSecrets(checks, play, "the-secret-value");
}

TEST(AzureCredentialDoctor, ServicePrincipalWithACertificate) {
  test::AzurePlayServer play;
  const auto registered = test::makeTestCertificate("doctor-registered");
  play.addServicePrincipalCertificate("play-tenant", "sp-client", registered.certificatePem);
  auto source = servicePrincipal(play.url(), "");
  source.certificateFile = "/etc/hangar/sp.pem";
  source.certificatePem = registered.combinedPem();
  auto checks = diagnoseAzureCredential(source);
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[1].status, Status::Pass) << checks[1].detail;
  expectNoSecrets(checks, play, registered.privateKeyPem.substr(28, 40));

  source.certificatePem = test::makeTestCertificate("doctor-unknown").combinedPem();  // not registered
  checks = diagnoseAzureCredential(source);
  EXPECT_EQ(checks[1].status, Status::Fail);
  EXPECT_THAT(checks[1].detail, HasSubstr("AADSTS700027"));
  EXPECT_THAT(checks[1].hint, HasSubstr("certificate is registered"));

  source.certificatePem = registered.certificatePem;  // the key is missing
  checks = diagnoseAzureCredential(source);
  EXPECT_EQ(checks[1].status, Status::Fail);
  EXPECT_THAT(checks[1].detail, HasSubstr("/etc/hangar/sp.pem: no unencrypted PEM private key"));
  EXPECT_THAT(checks[1].hint, HasSubstr("--create-cert"));
}

TEST(AzureCredentialDoctor, AnUnreadableSecretFileFailsTheTokenCheckWithItsReason) {
  test::AzurePlayServer play;
  auto source = servicePrincipal(play.url(), "");
  source.unreadable = "/etc/hangar/sp.secret: mode 0644 lets others read it";
  const auto checks = diagnoseAzureCredential(source);
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[1].status, Status::Fail);
  EXPECT_EQ(checks[1].detail, source.unreadable);
  EXPECT_THAT(checks[1].hint, HasSubstr("chmod 600"));
  EXPECT_TRUE(play.requests("/play-tenant/oauth2").empty());
}

TEST(AzureCredentialDoctor, UnreachableAuthorityHostSkipsTheTokenCheck) {
  const auto checks = diagnoseAzureCredential(
      servicePrincipal("http://127.0.0.1:" + std::to_string(test::pick_free_loopback_port()), "s"));
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].status, Status::Fail);
  EXPECT_THAT(checks[0].hint, HasSubstr("over HTTPS"));
  EXPECT_EQ(checks[1].status, Status::Skip);
}

}  // namespace
}  // namespace hangar::registry
