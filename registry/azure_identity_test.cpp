#include "registry/azure_identity.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/support/azure_play_server.hpp"
#include "tests/support/error_of.hpp"

namespace hangar::registry {
namespace {

using namespace std::chrono_literals;
using test::AzurePlayServer;
using test::PlayFailure;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// Options with a movable clock and recorded (not slept) retry delays.
struct Harness {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  std::vector<std::chrono::milliseconds> delays;
  TokenCredentialOptions options() {
    TokenCredentialOptions o;
    o.now = [this] { return now; };
    o.sleep = [this](std::chrono::milliseconds d) { delays.push_back(d); };
    o.retry.jitter = 0;
    o.retry.initialDelay = 100ms;
    o.retry.maxDelay = 1000ms;
    o.retry.goneBudget = 2000ms;
    o.requestTimeout = 10s;
    return o;
  }
};

using test::errorOf;

TEST(ManagedIdentityCredential, SystemAssignedTokenFromImdsWithMetadataHeader) {
  AzurePlayServer server;
  Harness h;
  ManagedIdentityCredential credential(server.url(), {}, h.options());
  auto token = credential.getToken("https://vault.azure.net");
  EXPECT_FALSE(token.token.empty());
  EXPECT_GT(token.expiresOn, std::chrono::system_clock::now() + 50min);
  auto requests = server.requests("/metadata/identity/oauth2/token");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].headers.at("metadata"), "true");
  EXPECT_EQ(requests[0].query.at("api-version"), "2018-02-01");
  EXPECT_EQ(requests[0].query.at("resource"), "https://vault.azure.net");
  EXPECT_EQ(requests[0].query.count("client_id") + requests[0].query.count("object_id") +
                requests[0].query.count("msi_res_id"),
            0u);
}

TEST(ManagedIdentityCredential, UserAssignedByEachKindOfId) {
  AzurePlayServer server;
  server.addManagedIdentity("11111111-2222-3333-4444-555555555555");
  Harness h;
  ManagedIdentityCredential byClient(
      server.url(), ManagedIdentityId::byClientId("11111111-2222-3333-4444-555555555555"), h.options());
  ManagedIdentityCredential byObject(server.url(), ManagedIdentityId::byObjectId("oid-1"), h.options());
  ManagedIdentityCredential byResource(
      server.url(),
      ManagedIdentityId::byResourceId(
          "/subscriptions/s/resourceGroups/g/providers/x/userAssignedIdentities/id"),
      h.options());
  byClient.getToken("https://containerregistry.azure.net");
  byObject.getToken("https://containerregistry.azure.net");
  byResource.getToken("https://containerregistry.azure.net");
  auto requests = server.requests("/metadata/");
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].query.at("client_id"), "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(requests[1].query.at("object_id"), "oid-1");
  EXPECT_EQ(requests[2].query.at("msi_res_id"),
            "/subscriptions/s/resourceGroups/g/providers/x/userAssignedIdentities/id");
  EXPECT_THROW(ManagedIdentityCredential(server.url(), ManagedIdentityId{"a", "b", ""}),
               std::invalid_argument);
}

TEST(ManagedIdentityCredential, CachesUntilShortlyBeforeExpiry) {
  AzurePlayServer server;
  Harness h;
  ManagedIdentityCredential credential(server.url(), {}, h.options());
  auto first = credential.getToken("https://vault.azure.net");
  auto again = credential.getToken("https://vault.azure.net");
  EXPECT_EQ(first.token, again.token);
  EXPECT_EQ(server.requests("/metadata/").size(), 1u);
  credential.getToken("https://management.azure.com/");  // another resource: another token
  EXPECT_EQ(server.requests("/metadata/").size(), 2u);
  h.now = first.expiresOn - 4min;  // inside the 5-minute margin
  auto renewed = credential.getToken("https://vault.azure.net");
  EXPECT_NE(renewed.token, first.token);
  EXPECT_EQ(server.requests("/metadata/").size(), 3u);
}

TEST(ManagedIdentityCredential, RetriesTransientStatusesWithGrowingBackoff) {
  AzurePlayServer server;
  server.failNextImdsRequests({{404, "{}", ""}, {500, "{}", ""}, {503, "{}", ""}});
  Harness h;
  ManagedIdentityCredential credential(server.url(), {}, h.options());
  EXPECT_FALSE(credential.getToken("https://vault.azure.net").token.empty());
  EXPECT_EQ(server.requests("/metadata/").size(), 4u);
  EXPECT_THAT(h.delays, ElementsAre(100ms, 200ms, 400ms));
}

TEST(ManagedIdentityCredential, HonoursRetryAfterOn429) {
  AzurePlayServer server;
  server.failNextImdsRequests({{429, R"({"error":"throttled"})", "1"}});
  Harness h;
  ManagedIdentityCredential credential(server.url(), {}, h.options());
  credential.getToken("https://vault.azure.net");
  EXPECT_THAT(h.delays, ElementsAre(1000ms));
}

TEST(ManagedIdentityCredential, KeepsRetrying410ForTheGoneBudget) {
  AzurePlayServer server;
  server.failNextImdsRequests({{410, "", ""}, {410, "", ""}});
  Harness h;
  ManagedIdentityCredential credential(server.url(), {}, h.options());
  credential.getToken("https://vault.azure.net");
  ASSERT_EQ(h.delays.size(), 2u);
  // 2000 ms budget spread over the 5 retries left: at least 400 ms each, more than plain backoff's 100 ms.
  EXPECT_EQ(h.delays[0], 400ms);
  EXPECT_GE(h.delays[1], 400ms);
}

TEST(ManagedIdentityCredential, GivesUpAfterMaxAttemptsNamingTheReason) {
  AzurePlayServer server;
  server.failNextImdsRequests(std::vector<PlayFailure>(10, {500, R"({"error":"server_error"})", ""}));
  Harness h;
  auto options = h.options();
  options.retry.maxAttempts = 3;
  ManagedIdentityCredential credential(server.url(), {}, options);
  auto message = errorOf([&] { credential.getToken("https://vault.azure.net"); });
  EXPECT_THAT(message, HasSubstr("after 3 attempts"));
  EXPECT_THAT(message, HasSubstr("HTTP 500"));
  EXPECT_THAT(message, HasSubstr("system-assigned"));
  EXPECT_EQ(server.requests("/metadata/").size(), 3u);
}

TEST(ManagedIdentityCredential, UnknownIdentityFailsAtOnce) {
  AzurePlayServer server;
  Harness h;
  ManagedIdentityCredential credential(server.url(), ManagedIdentityId::byClientId("no-such-identity"),
                                       h.options());
  auto message = errorOf([&] { credential.getToken("https://vault.azure.net"); });
  EXPECT_THAT(message, HasSubstr("Identity not found"));
  EXPECT_THAT(message, HasSubstr("no-such-identity"));
  EXPECT_EQ(server.requests("/metadata/").size(), 1u);
  EXPECT_TRUE(h.delays.empty());
}

TEST(ManagedIdentityCredential, UnreachableImdsGivesUpAfterASecondTry) {
  std::string url;
  {
    AzurePlayServer gone;
    url = gone.url();
  }
  Harness h;
  ManagedIdentityCredential credential(url, {}, h.options());  // 6 attempts allowed
  auto message = errorOf([&] { credential.getToken("https://vault.azure.net"); });
  EXPECT_THAT(message, HasSubstr("IMDS"));
  EXPECT_THAT(message, HasSubstr("after 2 attempts"));
  EXPECT_EQ(h.delays.size(), 1u);
}

TEST(ManagedIdentityCredential, BypassesConfiguredProxies) {
  AzurePlayServer server;
  // A proxy that does not exist: a request sent through it would fail.
  ::setenv("http_proxy", "http://127.0.0.1:1", 1);
  ::setenv("HTTP_PROXY", "http://127.0.0.1:1", 1);
  Harness h;
  ManagedIdentityCredential credential(server.url(), {}, h.options());
  std::string error = errorOf([&] { credential.getToken("https://vault.azure.net"); });
  ::unsetenv("http_proxy");
  ::unsetenv("HTTP_PROXY");
  EXPECT_EQ(error, "no error");
}

TEST(ClientSecretCredential, TokenFromAadWithClientCredentials) {
  AzurePlayServer server;
  server.addServicePrincipal("tenant-1", "app-1", "s3cr3t-value");
  Harness h;
  ClientSecretCredential credential(server.url(), "tenant-1", "app-1", "s3cr3t-value", h.options());
  auto token = credential.getToken("https://containerregistry.azure.net");
  EXPECT_FALSE(token.token.empty());
  EXPECT_GT(token.expiresOn, h.now + 50min);
  auto requests = server.requests("/tenant-1/oauth2/v2.0/token");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].form.at("grant_type"), "client_credentials");
  EXPECT_EQ(requests[0].form.at("client_id"), "app-1");
  EXPECT_EQ(requests[0].form.at("client_secret"), "s3cr3t-value");
  EXPECT_EQ(requests[0].form.at("scope"), "https://containerregistry.azure.net/.default");
  EXPECT_TRUE(requests[0].query.empty());
  credential.getToken("https://containerregistry.azure.net");
  EXPECT_EQ(server.requests("/tenant-1/").size(), 1u);  // cached
}

TEST(ClientSecretCredential, WrongSecretIsReportedWithoutTheSecret) {
  AzurePlayServer server;
  server.addServicePrincipal("tenant-1", "app-1", "right-secret");
  Harness h;
  ClientSecretCredential credential(server.url(), "tenant-1", "app-1", "wrong-secret-xyz", h.options());
  auto message = errorOf([&] { credential.getToken("https://management.azure.com/"); });
  EXPECT_THAT(message, HasSubstr("invalid_client"));
  EXPECT_THAT(message, HasSubstr("AADSTS7000215"));
  EXPECT_THAT(message, HasSubstr("app-1"));
  EXPECT_THAT(message, Not(HasSubstr("wrong-secret-xyz")));
}

TEST(ClientSecretCredential, RefusesPlainHttpAuthorityOffLoopback) {
  EXPECT_THROW(ClientSecretCredential("http://login.example.com", "t", "c", "s"), std::runtime_error);
}

TEST(AzureScope, OneSlashBeforeDefault) {
  EXPECT_EQ(scopeForResource("https://management.azure.com/"), "https://management.azure.com/.default");
  EXPECT_EQ(scopeForResource("https://vault.azure.net"), "https://vault.azure.net/.default");
}

}  // namespace
}  // namespace hangar::registry
