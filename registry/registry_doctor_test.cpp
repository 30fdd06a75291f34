#include "registry/registry_doctor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/azure_play_server.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/local_registry.hpp"

namespace hangar::registry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Status = DoctorCheck::Status;

const DoctorCheck* find(const std::vector<DoctorCheck>& checks, const std::string& name) {
  for (const auto& check : checks)
    if (check.name == name) return &check;
  return nullptr;
}

std::string describe(const std::vector<DoctorCheck>& checks) {
  std::string text;
  for (const auto& check : checks)
    text += std::string(statusName(check.status)) + " " + check.name + ": " + check.detail + " | " +
            check.hint + "\n";
  return text;
}

TEST(RegistryDoctor, PrivateAddressesAndFirewallMessages) {
  for (const char* ip : {"127.0.0.1", "10.1.2.3", "172.16.0.9", "172.31.255.1", "192.168.1.1",
                         "169.254.169.254", "100.64.0.1", "::1", "fd00::1", "fe80::1"})
    EXPECT_TRUE(isPrivateAddress(ip)) << ip;
  for (const char* ip : {"20.50.1.2", "172.32.0.1", "8.8.8.8", "2001:db8::1", "not-an-ip"})
    EXPECT_FALSE(isPrivateAddress(ip)) << ip;
  EXPECT_EQ(
      firewallDeniedIp(R"({"errors":[{"code":"DENIED","message":"client with IP \u0027203.0.113.7\u0027 )"
                       R"(is not allowed access. Refer https://aka.ms/acr/firewall to grant access."}]})"),
      "203.0.113.7");
  EXPECT_EQ(firewallDeniedIp(
                R"({"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]})"),
            "");
}

TEST(RegistryDoctor, RealRegistryPassesEveryCheckIncludingPush) {
  test::LocalRegistry registry;
  RegistryDoctorOptions options;
  options.registry = registry.host();
  options.checkPush = true;
  const auto checks = diagnoseRegistry(options);
  for (const auto& check : checks) EXPECT_NE(check.status, Status::Fail) << describe(checks);
  ASSERT_NE(find(checks, "push permission"), nullptr) << describe(checks);
  EXPECT_EQ(find(checks, "push permission")->status, Status::Pass);
  EXPECT_THAT(find(checks, "DNS")->detail, HasSubstr("private addresses"));
  EXPECT_EQ(find(checks, "TLS")->status, Status::Skip);
  EXPECT_THAT(find(checks, "/v2/ endpoint")->detail, HasSubstr("anonymous"));
  EXPECT_TRUE(registry.catalog().empty());  // the push check wrote nothing
}

TEST(RegistryDoctor, NothingListeningFailsAtTcpConnectAndStops) {
  RegistryDoctorOptions options;
  options.registry = "127.0.0.1:" + std::to_string(test::pick_free_loopback_port());
  const auto checks = diagnoseRegistry(options);
  ASSERT_EQ(checks.size(), 2u) << describe(checks);
  EXPECT_EQ(checks[1].name, "TCP connect");
  EXPECT_EQ(checks[1].status, Status::Fail);
  EXPECT_THAT(checks[1].detail, HasSubstr("Connection refused"));
}

TEST(RegistryDoctor, FirewallDenialIsExplainedWithTheIpAndNotNetworkBypass) {
  test::AzurePlayServer acr;
  acr.denyClientIp("203.0.113.7");
  RegistryDoctorOptions options;
  options.registry = "127.0.0.1:" + std::to_string(acr.port());
  const auto checks = diagnoseRegistry(options);
  const auto* v2 = find(checks, "/v2/ endpoint");
  ASSERT_NE(v2, nullptr) << describe(checks);
  EXPECT_EQ(v2->status, Status::Fail);
  EXPECT_THAT(v2->detail, HasSubstr("client with IP '203.0.113.7' is not allowed access"));
  EXPECT_THAT(v2->hint, HasSubstr("private endpoint"));
  EXPECT_THAT(v2->hint, HasSubstr("IP rule for 203.0.113.7"));
  EXPECT_THAT(v2->hint, HasSubstr("network bypass) does not help"));
  EXPECT_EQ(checks.back().name, "/v2/ endpoint");  // nothing after: auth cannot be judged behind a firewall
}

TEST(RegistryDoctor, BearerChallengeWithoutCredentialsWarnsAndAuthenticationFails) {
  test::AzurePlayServer acr;
  RegistryDoctorOptions options;
  options.registry = "127.0.0.1:" + std::to_string(acr.port());
  options.credentialSource = "/nowhere/config.json";
  const auto checks = diagnoseRegistry(options);
  const auto* v2 = find(checks, "/v2/ endpoint");
  ASSERT_NE(v2, nullptr) << describe(checks);
  EXPECT_EQ(v2->status, Status::Pass);
  EXPECT_THAT(v2->detail, HasSubstr("bearer"));
  const auto* credentials = find(checks, "credentials");
  ASSERT_NE(credentials, nullptr) << describe(checks);
  EXPECT_EQ(credentials->status, Status::Warn);
  EXPECT_THAT(credentials->detail, HasSubstr("/nowhere/config.json"));
  EXPECT_EQ(checks.back().status, Status::Fail) << describe(checks);
}

TEST(RegistryDoctor, WrongCredentialsAreNamedWithoutTheSecret) {
  test::AzurePlayServer acr;
  RegistryDoctorOptions options;
  options.registry = "127.0.0.1:" + std::to_string(acr.port());
  options.credentials = std::make_shared<StaticCredentialProvider>(
      Credential{"00000000-0000-0000-0000-000000000000", "", "not-a-valid-refresh-token-s3cret"});
  options.credentialSource = "--docker-config test.json";
  const auto checks = diagnoseRegistry(options);
  EXPECT_THAT(find(checks, "credentials")->detail, HasSubstr("identity (refresh) token"));
  EXPECT_EQ(checks.back().status, Status::Fail) << describe(checks);
  EXPECT_THAT(describe(checks), Not(HasSubstr("s3cret")));
}

}  // namespace
}  // namespace hangar::registry
