#include "registry/credential_provider.hpp"

#include <gtest/gtest.h>

#include "registry/azure_container_registry.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::registry {
namespace {

TEST(AuthFileCredentialProvider, SeesTheFileAsItIsAtEachCall) {
  test::TempDir dir("auth-file-provider");
  const auto file = dir.path() / "auth.json";
  AuthFileCredentialProvider provider(file);
  EXPECT_EQ(provider.credentialFor("acr.example"), std::nullopt);  // no file yet

  writeAuthFile(file, {{"acr.example", Credential{std::string(kAcrTokenUsername), "", "refresh-1"}}});
  EXPECT_EQ(provider.credentialFor("acr.example")->identityToken, "refresh-1");
  EXPECT_EQ(provider.credentialFor("other.example"), std::nullopt);

  // A renewal replaces the file while the provider is in use.
  writeAuthFile(file, {{"acr.example", Credential{std::string(kAcrTokenUsername), "", "refresh-2"}}});
  EXPECT_EQ(provider.credentialFor("acr.example")->identityToken, "refresh-2");

  std::filesystem::remove(file);
  EXPECT_EQ(provider.credentialFor("acr.example"), std::nullopt);
}

}  // namespace
}  // namespace hangar::registry
