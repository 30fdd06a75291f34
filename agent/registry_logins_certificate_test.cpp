// agent.yaml `registries:` logins of a service principal with a certificate (`certificateFile`): the key
// file is owner-only, the play AAD checks the signed client assertion, ACR's exchange follows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/registry_logins.hpp"
#include "registry/azure_container_registry.hpp"
#include "tests/support/azure_play_server.hpp"
#include "tests/support/client_assertion_check.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class CertificateLoginTest : public ::testing::Test {
 protected:
  CertificateLoginTest() {
    azure_.setAcrService(acrHost());
    endpoints_.imdsUrl = azure_.url();
    endpoints_.authorityHost = azure_.url();
  }
  std::string acrHost() const { return "127.0.0.1:" + std::to_string(azure_.port()); }
  config::RegistrySettings entry(const std::string& certificateFile) const {
    config::RegistrySettings settings;
    settings.host = acrHost();
    settings.auth.emplace();
    settings.auth->servicePrincipal =
        config::ServicePrincipalAuth{"play-tenant", "sp-cert", "", "", certificateFile};
    settings.position = {"/etc/hangar/agent.yaml", 14, 7};
    return settings;
  }
  static const test::TestCertificate& certificate() {
    static const auto made = test::makeTestCertificate("hangar-sp-cert");
    return made;
  }
  std::string errorOf(const config::RegistrySettings& settings) {
    try {
      resolveRegistryLogins({settings}, endpoints_);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "no error";
  }

  test::AzurePlayServer azure_;
  registry::AzureEndpoints endpoints_;
  test::TempDir dir_;
};

TEST_F(CertificateLoginTest, LogsInThroughAadWithASignedAssertionAndAcrsExchange) {
  azure_.addServicePrincipal("other-tenant", "unrelated", "x");  // a secret principal does not interfere
  azure_.addServicePrincipalCertificate("play-tenant", "sp-cert", certificate().certificatePem);
  const auto file = dir_.write("sp.pem", certificate().combinedPem());
  const auto logins = resolveRegistryLogins({entry(file.string())}, endpoints_);

  const auto& credential = logins.credentials.at(acrHost());
  EXPECT_EQ(credential.username, registry::kAcrTokenUsername);
  ASSERT_FALSE(credential.identityToken.empty());
  const auto aad = azure_.requests("/play-tenant/oauth2/v2.0/token");
  ASSERT_EQ(aad.size(), 1u);
  EXPECT_EQ(aad[0].form.count("client_assertion"), 1u);
  EXPECT_EQ(aad[0].form.count("client_secret"), 0u);
  EXPECT_EQ(azure_.requests("/oauth2/exchange").at(0).form.at("tenant"), "play-tenant");
  // Nothing of the key file is among the values to mask: it never reaches a log to be masked.
  for (const auto& value : logins.secretValues)
    EXPECT_THAT(certificate().privateKeyPem, Not(HasSubstr(value)));
}

TEST_F(CertificateLoginTest, AKeyFileOthersCanReadIsRefusedBeforeAnyRequest) {
  azure_.addServicePrincipalCertificate("play-tenant", "sp-cert", certificate().certificatePem);
  const auto file = dir_.write("sp.pem", certificate().combinedPem(),
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                   std::filesystem::perms::group_read);
  const auto message = errorOf(entry(file.string()));
  EXPECT_THAT(message, HasSubstr(file.string()));
  EXPECT_THAT(message, HasSubstr("/etc/hangar/agent.yaml:14:7"));
  EXPECT_THAT(message, HasSubstr("0640"));
  EXPECT_THAT(azure_.requests("/"), IsEmpty());
}

TEST_F(CertificateLoginTest, ACertificateAadDoesNotKnowFailsNamingItsThumbprint) {
  const auto registered = test::makeTestCertificate("registered");
  azure_.addServicePrincipalCertificate("play-tenant", "sp-cert", registered.certificatePem);
  const auto file = dir_.write("sp.pem", certificate().combinedPem());
  const auto message = errorOf(entry(file.string()));
  EXPECT_THAT(message, HasSubstr("cannot log in to registry " + acrHost()));
  EXPECT_THAT(message, HasSubstr("AADSTS700027"));
  EXPECT_THAT(message, HasSubstr("certificate (thumbprint "));
  EXPECT_THAT(message, Not(HasSubstr(certificate().privateKeyPem.substr(28, 40))));
  EXPECT_THAT(azure_.requests("/oauth2/exchange"), IsEmpty());
}

TEST_F(CertificateLoginTest, AFileWithoutTheKeySaysSo) {
  const auto file = dir_.write("cert-only.pem", certificate().certificatePem);
  const auto message = errorOf(entry(file.string()));
  EXPECT_THAT(message, HasSubstr(file.string() + ": no unencrypted PEM private key"));
  EXPECT_THAT(azure_.requests("/"), IsEmpty());
}

}  // namespace
}  // namespace hangar::agent
