// A run whose agent.yaml `registries:` entry logs in to an ACR with the VM's managed identity, and whose
// step is `cmd: acr purge ...` (run in-process): the run logs in through IMDS and /oauth2/exchange, puts
// the refresh token in the run's auth file, and the purge reads it from there and trades it at
// /oauth2/token for the access tokens the play ACR demands on every /acr/v1 and /v2 request. The real
// hangar binary; the play IMDS and ACR on loopback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "tests/support/azure_play_server.hpp"
#include "tests/support/command.hpp"
#include "tests/support/play_acr_registry.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::system_clock;

class AcrPurgeLoginRun : public ::testing::Test {
 protected:
  AcrPurgeLoginRun() {
    azure_.setAcrService(host());
    azure_.serveAcrRegistry(acr_);
    dir_.write("purge.yaml",
               "version: v1.1.0\n"
               "steps:\n"
               "  - id: purge\n"
               "    cmd: acr purge --filter 'app:^v' --ago 0d --untagged\n");
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(azure_.port()); }

  CommandResult runOnce(const std::string& agentYaml) const {
    const auto config = dir_.write("agent.yaml", agentYaml);
    CommandOptions options;
    options.timeout = std::chrono::minutes(2);
    // No docker config: the only credential is the agent.yaml login.
    options.env["DOCKER_CONFIG"] = (dir_.path() / "docker").string();
    return run_hangar(
        {"run-once", "-f", (dir_.path() / "purge.yaml").string(), "--registry", host(), "--state-dir",
         (dir_.path() / "state").string(), "--config", config.string(), "/dev/null"},
        options);
  }

  std::shared_ptr<PlayAcrRegistry> acr_ = std::make_shared<PlayAcrRegistry>();
  AzurePlayServer azure_;
  TempDir dir_{"hangar-acr-purge-login-run"};
  const Clock::time_point old_ = Clock::now() - std::chrono::hours(24 * 10);
};

TEST_F(AcrPurgeLoginRun, AManagedIdentityLoginPurgesThroughTheRunsAuthFile) {
  const auto gone = acr_->manifest("app", old_);
  acr_->tag("app", "v1", gone, old_);
  const auto kept = acr_->manifest("app", old_);
  acr_->tag("app", "release", kept, old_);
  const auto dangling = acr_->manifest("app", old_);

  const auto result =
      runOnce("azure:\n  imdsEndpoint: " + azure_.url() + "\nregistries:\n  - host: " + host() +
              "\n    auth:\n      managedIdentity: {}\n");

  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.out, HasSubstr("running acr purge natively"));
  EXPECT_THAT(result.out, HasSubstr("Deleted " + host() + "/app:v1\n"));
  EXPECT_THAT(result.out, HasSubstr("Deleted " + host() + "/app@" + dangling + "\n"));
  EXPECT_THAT(result.out, HasSubstr("Number of deleted tags: 1\nNumber of deleted manifests: 2\n"));
  EXPECT_THAT(acr_->tagNames("app"), ElementsAre("release"));
  EXPECT_FALSE(acr_->has("app", gone));
  EXPECT_TRUE(acr_->has("app", kept));

  // The run logged in once; the purge traded the refresh token that login stored (in the auth file: the
  // purge got no other credential) for access tokens.
  ASSERT_EQ(azure_.requests("/metadata/identity/oauth2/token").size(), 1u);
  ASSERT_EQ(azure_.requests("/oauth2/exchange").size(), 1u);
  const auto grants = azure_.requests("/oauth2/token");
  ASSERT_FALSE(grants.empty());
  const auto issued = azure_.issuedTokens();
  std::set<std::string> refreshTokens;
  for (const auto& grant : grants) refreshTokens.insert(grant.form.at("refresh_token"));
  ASSERT_EQ(refreshTokens.size(), 1u);
  EXPECT_THAT(issued, Contains(*refreshTokens.begin()));

  // Every /acr/v1 and /v2 request the play ACR answered carried an access token the server issued.
  int answered = 0;
  for (const auto& request : azure_.requests()) {
    if (!PlayAcrRegistry::serves(request.path) || request.status == 401) continue;
    ++answered;
    const auto authorization = request.headers.find("authorization");
    ASSERT_NE(authorization, request.headers.end()) << request.method << " " << request.path;
    ASSERT_TRUE(authorization->second.starts_with("Bearer ")) << request.path;
    EXPECT_THAT(issued, Contains(authorization->second.substr(7))) << request.path;
  }
  EXPECT_EQ(answered, static_cast<int>(acr_->calls().size()));
  EXPECT_EQ(acr_->count("DELETE /acr/v1/app/_tags/v1"), 1);
  EXPECT_EQ(acr_->count("DELETE /v2/app/manifests/"), 2);

  // No token reaches the run's output.
  for (const auto& token : issued) EXPECT_THAT(result.out + result.err, Not(HasSubstr(token)));
}

TEST_F(AcrPurgeLoginRun, WithoutTheLoginThePurgeStepIsRefused) {
  acr_->tag("app", "v1", acr_->manifest("app", old_), old_);

  const auto result = runOnce("registries: []\n");

  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.out + result.err, HasSubstr("failed to run step ID: purge"));
  EXPECT_THAT(acr_->tagNames("app"), ElementsAre("v1"));
  EXPECT_TRUE(azure_.requests("/oauth2/exchange").empty());
  // The play ACR challenged the anonymous purge and answered none of its requests.
  ASSERT_FALSE(azure_.requests("/acr/v1/").empty());
  EXPECT_EQ(azure_.requests("/acr/v1/").front().status, 401);
  EXPECT_TRUE(acr_->calls().empty());
}

}  // namespace
}  // namespace hangar::test
