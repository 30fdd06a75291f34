#include "registry/azure_container_registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "registry/token_authenticator.hpp"
#include "tests/support/azure_play_server.hpp"
#include "tests/support/error_of.hpp"

namespace hangar::registry {
namespace {

using namespace std::chrono_literals;
using test::AzurePlayServer;
using ::testing::HasSubstr;
using ::testing::Not;

struct AcrHarness {
  AzurePlayServer server;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  std::shared_ptr<ManagedIdentityCredential> identity;

  AcrHarness() {
    server.setTenant("tenant-9");
    TokenCredentialOptions options;
    options.now = [this] { return now; };
    identity = std::make_shared<ManagedIdentityCredential>(server.url(), ManagedIdentityId::systemAssigned(),
                                                           options);
  }
  AcrTokenExchanger exchanger() {
    AcrOptions options;
    options.loginServer = "playregistry.azurecr.io";
    options.endpoint = server.url();
    options.tenantId = "tenant-9";
    options.now = [this] { return now; };
    return AcrTokenExchanger(options, identity);
  }
};

using test::errorOf;

TEST(AcrTokenExchanger, ExchangesAadTokenForRefreshThenAccessToken) {
  AcrHarness h;
  auto acr = h.exchanger();
  auto access = acr.accessToken("repository:app:pull,push");
  EXPECT_FALSE(access.empty());
  auto imds = h.server.requests("/metadata/");
  ASSERT_EQ(imds.size(), 1u);
  EXPECT_EQ(imds[0].query.at("resource"), "https://containerregistry.azure.net");
  auto exchange = h.server.requests("/oauth2/exchange");
  ASSERT_EQ(exchange.size(), 1u);
  EXPECT_EQ(exchange[0].method, "POST");
  EXPECT_EQ(exchange[0].form.at("grant_type"), "access_token");
  EXPECT_EQ(exchange[0].form.at("service"), "playregistry.azurecr.io");
  EXPECT_EQ(exchange[0].form.at("tenant"), "tenant-9");
  EXPECT_FALSE(exchange[0].form.at("access_token").empty());
  EXPECT_TRUE(exchange[0].query.empty());
  auto token = h.server.requests("/oauth2/token");
  ASSERT_EQ(token.size(), 1u);
  EXPECT_EQ(token[0].form.at("grant_type"), "refresh_token");
  EXPECT_EQ(token[0].form.at("scope"), "repository:app:pull,push");
  EXPECT_EQ(token[0].form.at("refresh_token"), acr.refreshToken());
  // The access token opens /v2/ on the play registry.
  EXPECT_EQ(h.server.requests("/oauth2/").size(), 2u);
}

TEST(AcrTokenExchanger, CachesTokensAndReExchangesNearRefreshExpiry) {
  AcrHarness h;
  auto acr = h.exchanger();
  auto first = acr.refreshToken();
  acr.accessToken("repository:app:pull");
  acr.accessToken("repository:app:pull");
  EXPECT_EQ(h.server.requests("/oauth2/exchange").size(), 1u);
  EXPECT_EQ(h.server.requests("/oauth2/token").size(), 1u);
  auto expiry = jwtExpiry(first);
  ASSERT_TRUE(expiry.has_value());
  EXPECT_GT(*expiry, h.now + 2h);
  h.now = *expiry - 2min;  // the refresh token (3 h) nears expiry; the AAD token (1 h) has expired too
  auto second = acr.refreshToken();
  EXPECT_NE(second, first);
  EXPECT_EQ(h.server.requests("/oauth2/exchange").size(), 2u);
  EXPECT_EQ(h.server.requests("/metadata/").size(), 2u);  // a fresh AAD token for the new exchange
}

TEST(AcrTokenExchanger, RefusedRefreshTokenIsExchangedAgain) {
  AcrHarness h;
  auto acr = h.exchanger();
  acr.accessToken("repository:app:pull");
  h.server.revokeAcrRefreshTokens();
  EXPECT_FALSE(acr.accessToken("repository:other:pull").empty());
  EXPECT_EQ(h.server.requests("/oauth2/exchange").size(), 2u);
  EXPECT_EQ(h.server.requests("/oauth2/token").size(), 3u);
}

TEST(AcrTokenExchanger, CredentialForTheAuthFileIsTheDockerAcrLogin) {
  AcrHarness h;
  auto acr = h.exchanger();
  auto credential = acr.credential();
  EXPECT_EQ(credential.username, "00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(credential.password, "");
  EXPECT_EQ(credential.identityToken, acr.refreshToken());
}

TEST(AcrTokenExchanger, FirewallDenialNamesTheIpWithAHintAndNoToken) {
  AcrHarness h;
  h.server.denyClientIp("1.2.3.4");
  auto acr = h.exchanger();
  auto message = errorOf([&] { acr.refreshToken(); });
  EXPECT_THAT(message, HasSubstr("playregistry.azurecr.io"));
  EXPECT_THAT(message, HasSubstr("HTTP 403"));
  EXPECT_THAT(message, HasSubstr("client with IP '1.2.3.4' is not allowed access"));
  EXPECT_THAT(message, HasSubstr("private endpoint"));
  auto sent = h.server.requests("/oauth2/exchange");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_THAT(message, Not(HasSubstr(sent[0].form.at("access_token"))));
}

TEST(AcrTokenExchanger, WrongTenantIsRefused) {
  AcrHarness h;
  AcrOptions options;
  options.loginServer = "playregistry.azurecr.io";
  options.endpoint = h.server.url();
  options.tenantId = "another-tenant";
  AcrTokenExchanger acr(options, h.identity);
  EXPECT_THAT(errorOf([&] { acr.refreshToken(); }), HasSubstr("HTTP 401"));
}

TEST(AcrTokenExchanger, PlainHttpOnlyOnLoopback) {
  AcrHarness h;
  AcrOptions options;
  options.loginServer = "x.azurecr.io";
  options.endpoint = "http://x.azurecr.io";
  EXPECT_THROW(AcrTokenExchanger(options, h.identity), std::runtime_error);
}

}  // namespace
}  // namespace hangar::registry
