#include "agent/azure_endpoints.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>

namespace hangar::agent {
namespace {

/// Sets (or unsets) an environment variable for one test and restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = getenv(name)) saved_ = old;
    if (value)
      setenv(name, value->c_str(), 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (saved_)
      setenv(name_, saved_->c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

TEST(AzureEndpoints, PublicAzureByDefault) {
  ScopedEnv imds("HANGAR_AZURE_IMDS_ENDPOINT", std::nullopt);
  ScopedEnv authority("HANGAR_AZURE_AUTHORITY_HOST", "");
  ScopedEnv vault("HANGAR_AZURE_KEYVAULT_ENDPOINT", std::nullopt);
  const auto endpoints = azureEndpoints();
  EXPECT_EQ(endpoints.imdsUrl, "http://169.254.169.254");
  EXPECT_EQ(endpoints.authorityHost, "https://login.microsoftonline.com");
  EXPECT_EQ(endpoints.keyVaultUrlRewrite, "");
}

TEST(AzureEndpoints, TheEnvironmentOverridesAndTheConfigurationWins) {
  ScopedEnv imds("HANGAR_AZURE_IMDS_ENDPOINT", "http://127.0.0.1:1");
  ScopedEnv authority("HANGAR_AZURE_AUTHORITY_HOST", "http://127.0.0.1:2");
  ScopedEnv vault("HANGAR_AZURE_KEYVAULT_ENDPOINT", "http://127.0.0.1:3");
  auto endpoints = azureEndpoints();
  EXPECT_EQ(endpoints.imdsUrl, "http://127.0.0.1:1");
  EXPECT_EQ(endpoints.authorityHost, "http://127.0.0.1:2");
  EXPECT_EQ(endpoints.keyVaultUrlRewrite, "http://127.0.0.1:3");

  config::AzureSettings settings;
  settings.imdsEndpoint = "http://127.0.0.1:4";
  settings.keyVaultEndpoint = "http://127.0.0.1:5";
  endpoints = azureEndpoints(settings);
  EXPECT_EQ(endpoints.imdsUrl, "http://127.0.0.1:4");
  EXPECT_EQ(endpoints.authorityHost, "http://127.0.0.1:2");
  EXPECT_EQ(endpoints.keyVaultUrlRewrite, "http://127.0.0.1:5");
}

}  // namespace
}  // namespace hangar::agent
