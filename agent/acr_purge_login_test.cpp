// `hangar purge --agent-config` through the whole Azure login chain: the agent.yaml entry's managed identity
// gets an AAD token from the play IMDS, /oauth2/exchange trades it for an ACR refresh token, /oauth2/token
// that for access tokens, and the play ACR answers /acr/v1 and /v2 only with an access token it issued for
// the scope of the call (else 401 with ACR's challenge).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "agent/purge_command.hpp"
#include "registry/http_transport.hpp"
#include "tests/support/azure_play_server.hpp"
#include "tests/support/play_acr_registry.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Clock = std::chrono::system_clock;

class AcrPurgeLoginTest : public ::testing::Test {
 protected:
  AcrPurgeLoginTest() {
    azure_.setAcrService(host());  // the registry's login server is the play server's loopback host
    azure_.serveAcrRegistry(acr_);
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(azure_.port()); }
  // agent.yaml whose registries: entry for the play ACR logs in with `auth` (YAML, indented 6).
  std::string agentYaml(const std::string& auth) const {
    return dir_
        .write("agent.yaml", "azure:\n  imdsEndpoint: " + azure_.url() +
                                 "\nregistries:\n  - host: " + host() + "\n    auth:\n" + auth)
        .string();
  }
  // An ACR access token for `scope`, obtained as a client does: IMDS, /oauth2/exchange, /oauth2/token.
  std::string accessToken(const std::string& scope) const {
    registry::CurlTransport http;
    const auto aad = http.send(
        {"GET",
         azure_.url() + "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%"
                        "2Fcontainerregistry.azure.net",
         {{"Metadata", "true"}},
         ""});
    const auto form = std::vector<std::pair<std::string, std::string>>{
        {"Content-Type", "application/x-www-form-urlencoded"}};
    const auto refresh =
        http.send({"POST", azure_.url() + "/oauth2/exchange", form,
                   "grant_type=access_token&service=" + host() + "&access_token=" +
                       nlohmann::json::parse(aad.body).at("access_token").get<std::string>()});
    const auto access =
        http.send({"POST", azure_.url() + "/oauth2/token", form,
                   "grant_type=refresh_token&service=" + host() + "&scope=" + scope + "&refresh_token=" +
                       nlohmann::json::parse(refresh.body).at("refresh_token").get<std::string>()});
    return nlohmann::json::parse(access.body).at("access_token");
  }
  struct Outcome {
    int code;
    std::string out, err;
  };
  Outcome purge(const std::vector<std::string>& args) const {
    std::ostringstream out, err;
    const int code = runPurgeCommand(args, out, err);
    return {code, out.str(), err.str()};
  }

  std::shared_ptr<test::PlayAcrRegistry> acr_ = std::make_shared<test::PlayAcrRegistry>();
  test::AzurePlayServer azure_;
  test::TempDir dir_{"hangar-acr-purge-login"};
  const Clock::time_point old_ = Clock::now() - std::chrono::hours(24 * 10);
};

TEST_F(AcrPurgeLoginTest, ThePlayAcrChallengesRequestsWithoutAnAccessTokenForTheirScope) {
  registry::CurlTransport http;
  registry::HttpRequest anonymous{"GET", azure_.url() + "/acr/v1/app/_tags", {}, ""};
  const auto refused = http.send(anonymous);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.header("www-authenticate"), "Bearer realm=\"" + azure_.url() +
                                                    "/oauth2/token\",service=\"" + host() +
                                                    "\",scope=\"repository:app:metadata_read\"");
  EXPECT_THAT(refused.body, HasSubstr("UNAUTHORIZED"));
  // A token this server never issued, and one it issued for another repository, are refused the same way.
  anonymous.headers = {{"Authorization", "Bearer " + test::AzurePlayServer::makeJwt({{"aud", host()}},
                                                                                    std::chrono::hours(1))}};
  EXPECT_EQ(http.send(anonymous).status, 401);
  anonymous.headers = {{"Authorization", "Bearer " + accessToken("repository:other:pull,metadata_read")}};
  EXPECT_EQ(http.send(anonymous).status, 401);
  EXPECT_THAT(acr_->calls(), IsEmpty());  // the play ACR never saw a refused request
  // One issued for this repository's metadata is let through (the repository is unknown: 404).
  anonymous.headers = {{"Authorization", "Bearer " + accessToken("repository:app:metadata_read")}};
  EXPECT_EQ(http.send(anonymous).status, 404);
  EXPECT_THAT(acr_->calls(), ElementsAre("GET /acr/v1/app/_tags"));
  const auto recorded = azure_.requests("/acr/v1/");
  ASSERT_EQ(recorded.size(), 4u);
  EXPECT_EQ(recorded[2].status, 401);
  EXPECT_EQ(recorded[3].status, 404);
}

TEST_F(AcrPurgeLoginTest, AManagedIdentityPurgesWithAccessTokensOnEveryRequest) {
  const auto gone = acr_->manifest("app", old_);
  acr_->tag("app", "v1", gone, old_);
  const auto kept = acr_->manifest("app", old_);
  acr_->tag("app", "v2", kept, old_);
  acr_->tag("app", "release", kept, old_);
  const auto dangling = acr_->manifest("app", old_);

  const auto result = purge({"--registry", host(), "--agent-config", agentYaml("      managedIdentity: {}\n"),
                             "--filter", "app:^v", "--ago", "7d", "--untagged"});

  ASSERT_EQ(result.code, 0) << result.out << result.err;
  EXPECT_THAT(acr_->tagNames("app"), ElementsAre("release"));
  EXPECT_FALSE(acr_->has("app", gone));
  EXPECT_FALSE(acr_->has("app", dangling));
  EXPECT_TRUE(acr_->has("app", kept));
  EXPECT_THAT(result.out, HasSubstr("Deleting tags for repository: app\n"));
  EXPECT_THAT(result.out, HasSubstr("Deleted " + host() + "/app:v1\n"));
  EXPECT_THAT(result.out, HasSubstr("Deleted " + host() + "/app:v2\n"));
  EXPECT_THAT(result.out, HasSubstr("Deleted " + host() + "/app@" + dangling + "\n"));
  EXPECT_THAT(result.out, HasSubstr("\nNumber of deleted tags: 2\nNumber of deleted manifests: 2\n"));
  EXPECT_EQ(result.err, "");

  // IMDS once (ACR's audience), one exchange of that AAD token, refresh-token grants for access tokens.
  const auto imds = azure_.requests("/metadata/identity/oauth2/token");
  ASSERT_EQ(imds.size(), 1u);
  EXPECT_EQ(imds[0].query.at("resource"), "https://containerregistry.azure.net");
  const auto exchanges = azure_.requests("/oauth2/exchange");
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0].form.at("grant_type"), "access_token");
  EXPECT_EQ(exchanges[0].form.at("service"), host());
  const auto grants = azure_.requests("/oauth2/token");
  ASSERT_FALSE(grants.empty());
  std::set<std::string> refreshTokens;
  for (const auto& grant : grants) {
    EXPECT_EQ(grant.form.at("grant_type"), "refresh_token");
    refreshTokens.insert(grant.form.at("refresh_token"));
  }
  EXPECT_EQ(refreshTokens.size(), 1u);  // the one refresh token the exchange issued

  // Every /acr/v1 and /v2 request the play ACR answered carried an access token this server issued; the only
  // refusals are the first, anonymous request of a scope.
  const auto issued = azure_.issuedTokens();
  int answered = 0, challenged = 0;
  for (const auto& request : azure_.requests()) {
    if (!test::PlayAcrRegistry::serves(request.path)) continue;
    const auto authorization = request.headers.find("authorization");
    if (request.status == 401) {
      ++challenged;
      EXPECT_EQ(authorization, request.headers.end()) << request.method << " " << request.path;
      continue;
    }
    ++answered;
    ASSERT_NE(authorization, request.headers.end()) << request.method << " " << request.path;
    ASSERT_TRUE(authorization->second.starts_with("Bearer ")) << request.path;
    EXPECT_THAT(issued, Contains(authorization->second.substr(7))) << request.path;
  }
  EXPECT_EQ(answered, static_cast<int>(acr_->calls().size()));
  EXPECT_GE(answered, 6);  // catalog, tags, 2 tag deletes, manifests, manifest delete(s)
  EXPECT_LE(challenged, 3);
  EXPECT_EQ(acr_->count("DELETE /acr/v1/app/_tags/"), 2);
  EXPECT_EQ(acr_->count("DELETE /v2/app/manifests/"), 2);

  // No token the play server issued reaches the output.
  for (const auto& token : issued) EXPECT_THAT(result.out + result.err, Not(HasSubstr(token)));
}

TEST_F(AcrPurgeLoginTest, AnUnknownIdentityFailsNamingTheRegistryAndTheEntry) {
  acr_->tag("app", "v1", acr_->manifest("app", old_), old_);
  const auto config = agentYaml("      managedIdentity:\n        clientId: no-such-client\n");

  const auto result =
      purge({"--registry", host(), "--agent-config", config, "--filter", "app:.*", "--ago", "0d"});

  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.err, HasSubstr("Error: cannot log in to registry " + host() + " (" + config + ":4:"));
  EXPECT_THAT(result.err, HasSubstr("Identity not found"));
  EXPECT_THAT(azure_.requests("/oauth2/"), IsEmpty());
  EXPECT_THAT(acr_->calls(), IsEmpty());
  EXPECT_THAT(acr_->tagNames("app"), ElementsAre("v1"));
}

}  // namespace
}  // namespace hangar::agent
