#include "registry/azure_key_vault.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/azure_play_server.hpp"
#include "tests/support/error_of.hpp"

namespace hangar::registry {
namespace {

using namespace std::chrono_literals;
using test::AzurePlayServer;
using ::testing::HasSubstr;
using ::testing::Not;

config::SecretSpec secret(std::string id, std::string url, std::string clientId = "") {
  config::SecretSpec spec;
  spec.id = std::move(id);
  spec.keyVault = std::move(url);
  spec.clientId = std::move(clientId);
  return spec;
}

TokenCredentialOptions fastRetries() {
  TokenCredentialOptions options;
  options.retry.maxAttempts = 2;
  options.retry.initialDelay = 1ms;
  options.retry.jitter = 0;
  return options;
}

using test::errorOf;

TEST(KeyVault, ResolvesSecretsWithManagedIdentityTokens) {
  AzurePlayServer server;
  server.addSecret("db-password", "p@ss w0rd&=");
  server.addSecret("api-key", "key-123");
  server.addManagedIdentity("uami-client");
  AzureEndpoints endpoints{server.url(), server.url(), ""};
  auto values =
      resolveKeyVaultSecrets({secret("db", server.url() + "/secrets/db-password"),
                              secret("api", server.url() + "/secrets/api-key/abc123", "uami-client")},
                             endpoints);
  EXPECT_EQ(values, (std::map<std::string, std::string>{{"db", "p@ss w0rd&="}, {"api", "key-123"}}));
  auto imds = server.requests("/metadata/");
  ASSERT_EQ(imds.size(), 2u);  // one token per identity
  for (const auto& request : imds) {
    EXPECT_EQ(request.headers.at("metadata"), "true");
    EXPECT_EQ(request.query.at("resource"), "https://vault.azure.net");
  }
  EXPECT_TRUE(imds[0].query.count("client_id") + imds[1].query.count("client_id") == 1u);
  auto gets = server.requests("/secrets/");
  ASSERT_EQ(gets.size(), 2u);
  for (const auto& request : gets) {
    EXPECT_EQ(request.query.at("api-version"), "7.4");
    EXPECT_THAT(request.headers.at("authorization"), ::testing::StartsWith("Bearer "));
  }
}

TEST(KeyVault, ManySecretsInBatches) {
  AzurePlayServer server;
  std::vector<config::SecretSpec> specs;
  for (int i = 0; i < 20; ++i) {
    server.addSecret("s" + std::to_string(i), "value-" + std::to_string(i));
    specs.push_back(secret("id" + std::to_string(i), server.url() + "/secrets/s" + std::to_string(i)));
  }
  auto values = resolveKeyVaultSecrets(specs, {server.url(), server.url(), ""});
  ASSERT_EQ(values.size(), 20u);
  EXPECT_EQ(values.at("id17"), "value-17");
  EXPECT_EQ(server.requests("/metadata/").size(), 1u);  // the token is cached across batches
}

TEST(KeyVault, MissingSecretNamesTheIdAndReason) {
  AzurePlayServer server;
  server.addSecret("present", "top-secret-value");
  auto message = errorOf([&] {
    resolveKeyVaultSecrets(
        {secret("ok", server.url() + "/secrets/present"), secret("gone", server.url() + "/secrets/absent")},
        {server.url(), server.url(), ""});
  });
  EXPECT_THAT(message, HasSubstr("failed to resolve secrets: secret 'gone': "));
  EXPECT_THAT(message, HasSubstr("SecretNotFound"));
  EXPECT_THAT(message, Not(HasSubstr("top-secret-value")));
}

TEST(KeyVault, FirewallDenialIsReported) {
  AzurePlayServer server;
  server.addSecret("x", "v");
  server.denyClientIp("1.2.3.4");
  auto message = errorOf([&] {
    resolveKeyVaultSecrets({secret("x", server.url() + "/secrets/x")}, {server.url(), server.url(), ""});
  });
  EXPECT_THAT(message, HasSubstr("secret 'x'"));
  EXPECT_THAT(message, HasSubstr("HTTP 403"));
  EXPECT_THAT(message, HasSubstr("1.2.3.4"));
}

TEST(KeyVault, UnknownIdentityFailsWithIdentityReason) {
  AzurePlayServer server;
  server.addSecret("x", "v");
  auto message = errorOf([&] {
    resolveKeyVaultSecrets({secret("x", server.url() + "/secrets/x", "not-an-identity")},
                           {server.url(), server.url(), ""}, fastRetries(), 10s);
  });
  EXPECT_THAT(message, HasSubstr("secret 'x'"));
  EXPECT_THAT(message, HasSubstr("Identity not found"));
  EXPECT_TRUE(server.requests("/secrets/").empty());
}

TEST(KeyVault, RealVaultUrlsAreRewrittenToTheConfiguredBase) {
  AzurePlayServer server;
  server.addSecret("name", "rewritten-value");
  auto values = resolveKeyVaultSecrets({secret("n", "https://myvault.vault.azure.net/secrets/name")},
                                       {server.url(), server.url(), server.url()});
  EXPECT_EQ(values.at("n"), "rewritten-value");
}

TEST(KeyVault, RefusesUrlsThatAreNotKeyVault) {
  auto message = errorOf([&] {
    resolveKeyVaultSecrets({secret("x", "https://attacker.example.com/secrets/x")},
                           {"http://127.0.0.1:1", "", ""});
  });
  EXPECT_THAT(message, HasSubstr("failed to resolve secrets: secret 'x': "));
  EXPECT_THAT(message, HasSubstr("is not a Key Vault secret URL"));
  EXPECT_THROW(keyVaultResource("http://myvault.vault.azure.net/secrets/x"), std::runtime_error);
  EXPECT_EQ(keyVaultResource("https://myvault.vault.azure.cn/secrets/x"), "https://vault.azure.cn");
  EXPECT_EQ(keyVaultResource("https://kv.vault.azure.net/secrets/x/v1"), "https://vault.azure.net");
}

}  // namespace
}  // namespace hangar::registry
