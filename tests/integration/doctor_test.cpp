// `hangar doctor`: the real binary against a real registry and the play server's firewall 403.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/azure_play_server.hpp"
#include "tests/support/command.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {
namespace {

using ::testing::HasSubstr;

TEST(DoctorTest, JsonReportOnAHealthyRegistryExitsZero) {
  LocalRegistry registry;
  TempDir dir("hangar-doctor");
  const auto result =
      run_hangar({"doctor", "--registry", registry.host(), "--check-push", "--output", "json", "--state-dir",
                  dir.path().string(), "--docker-config", (dir.path() / "config.json").string()});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto report = nlohmann::json::parse(result.out);
  EXPECT_EQ(report.at("ok"), true);
  std::set<std::string> names;
  for (const auto& check : report.at("checks")) names.insert(check.at("name"));
  for (const char* name : {"engine", "engine storage", "registry DNS", "registry TCP connect",
                           "registry /v2/ endpoint", "registry pull permission", "registry push permission"})
    EXPECT_TRUE(names.contains(name)) << name << "\n" << result.out;
}

TEST(DoctorTest, FirewallDenialExplainedInPlainWordsAndExitsOne) {
  AzurePlayServer acr;
  acr.denyClientIp("198.51.100.23");
  TempDir dir("hangar-doctor");
  const auto result = run_hangar({"doctor", "--registry", "127.0.0.1:" + std::to_string(acr.port()),
                                  "--state-dir", dir.path().string()});
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.out, HasSubstr("[FAIL] registry /v2/ endpoint: HTTP 403 DENIED: client with IP "
                                    "'198.51.100.23' is not allowed access"));
  EXPECT_THAT(result.out, HasSubstr("fix: the registry's firewall"));
  EXPECT_THAT(result.out, HasSubstr("Some checks failed."));
}

}  // namespace
}  // namespace hangar::test
