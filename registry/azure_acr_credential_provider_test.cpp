#include "registry/azure_acr_credential_provider.hpp"

#include <gtest/gtest.h>

#include "registry/http_transport.hpp"
#include "registry/token_authenticator.hpp"
#include "tests/support/azure_play_server.hpp"

namespace hangar::registry {
namespace {

TEST(AcrCredentialProvider, OciClientReachesThePlayRegistryWithExchangedTokens) {
  test::AzurePlayServer server;
  auto identity =
      std::make_shared<ManagedIdentityCredential>(server.url(), ManagedIdentityId::systemAssigned());
  AcrOptions options;
  options.loginServer = "playregistry.azurecr.io";
  options.endpoint = server.url();
  auto exchanger = std::make_shared<AcrTokenExchanger>(options, identity);
  std::string host = "127.0.0.1:" + std::to_string(server.port());
  auto provider = std::make_shared<AcrCredentialProvider>(exchanger, host);
  EXPECT_FALSE(provider->credentialFor("other.azurecr.io").has_value());
  EXPECT_TRUE(server.requests("/oauth2/exchange").empty());  // nothing exchanged for another host

  CurlTransport transport;
  TokenAuthenticator authenticator(transport, provider, host);
  HttpRequest request;
  request.url = server.url() + "/v2/";
  auto response = authenticator.send(request, "registry:catalog:*");
  EXPECT_EQ(response.status, 200);
  auto tokenRequests = server.requests("/oauth2/token");
  ASSERT_EQ(tokenRequests.size(), 1u);
  EXPECT_EQ(tokenRequests[0].form.at("grant_type"), "refresh_token");
  EXPECT_EQ(tokenRequests[0].form.at("refresh_token"), exchanger->refreshToken());
  EXPECT_EQ(server.requests("/oauth2/exchange").size(), 1u);
}

}  // namespace
}  // namespace hangar::registry
