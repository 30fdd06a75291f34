// The `azure:` section of the agent configuration: where IMDS, Entra ID and Key Vault are.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/agent_config.hpp"
#include "config/agent_config_test_helper.hpp"

namespace hangar::config {
namespace {

using testing::failsAt;
using testing::parseAgent;
using testing::validAgent;

TEST(AgentConfigAzure, AbsentMeansPublicAzure) {
  const AgentConfig config = validAgent("slots: 1\n");
  EXPECT_EQ(config.azure.imdsEndpoint, "");
  EXPECT_EQ(config.azure.authorityHost, "");
  EXPECT_EQ(config.azure.keyVaultEndpoint, "");
}

TEST(AgentConfigAzure, EndpointsAreRead) {
  const AgentConfig config = validAgent(
      "azure:\n"
      "  imdsEndpoint: http://169.254.169.254\n"
      "  authorityHost: https://login.microsoftonline.us\n"
      "  keyVaultEndpoint: http://127.0.0.1:8443\n");
  EXPECT_EQ(config.azure.imdsEndpoint, "http://169.254.169.254");
  EXPECT_EQ(config.azure.authorityHost, "https://login.microsoftonline.us");
  EXPECT_EQ(config.azure.keyVaultEndpoint, "http://127.0.0.1:8443");
}

TEST(AgentConfigAzure, PlainHttpKeyVaultOffLoopbackIsRefused) {
  EXPECT_TRUE(failsAt(parseAgent("azure:\n  keyVaultEndpoint: http://vault.example.com\n"), 2, 21,
                      "must be an https:// URL"));
}

TEST(AgentConfigAzure, ImdsMustBeAUrl) {
  EXPECT_TRUE(failsAt(parseAgent("azure:\n  imdsEndpoint: 169.254.169.254\n"), 2, 17, "http:// or https://"));
}

TEST(AgentConfigAzure, UnknownKeysAreErrors) {
  EXPECT_TRUE(failsAt(parseAgent("azure:\n  imdsEndpiont: http://127.0.0.1:1\n"), 2, 3, "imdsEndpiont"));
}

}  // namespace
}  // namespace hangar::config
