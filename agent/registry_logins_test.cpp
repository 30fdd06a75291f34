// agent.yaml `registries:` logins for a run: passwords from owner-only files or variables, and ACR's
// token exchange for managed identities and service principals, against a play IMDS, AAD and ACR on
// loopback that check every token they are given.
#include "agent/registry_logins.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "registry/azure_container_registry.hpp"
#include "registry/credential_provider.hpp"
#include "registry/http_transport.hpp"
#include "registry/token_authenticator.hpp"
#include "runner/task_run_test_helper.hpp"
#include "tests/support/azure_play_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class RegistryLoginsTest : public ::testing::Test {
 protected:
  RegistryLoginsTest() {
    azure_.setAcrService(acrHost());  // the registry's login server is this loopback host
    endpoints_.imdsUrl = azure_.url();
    endpoints_.authorityHost = azure_.url();
  }
  std::string acrHost() const { return "127.0.0.1:" + std::to_string(azure_.port()); }
  config::RegistrySettings entry(const std::string& host, config::RegistryAuth auth) const {
    config::RegistrySettings settings;
    settings.host = host;
    settings.auth = std::move(auth);
    settings.position = {"/etc/hangar/agent.yaml", 12, 5};
    return settings;
  }

  test::AzurePlayServer azure_;
  registry::AzureEndpoints endpoints_;
  test::TempDir dir_;
};

TEST_F(RegistryLoginsTest, APasswordFileLosesOneTrailingNewlineAndAVariableIsTakenAsItIs) {
  config::RegistryAuth fromFile;
  fromFile.username = "builder";
  fromFile.passwordFile = dir_.write("password", "s3cret-file-1b\n").string();
  config::RegistryAuth fromEnv;
  fromEnv.username = "pusher";
  fromEnv.passwordEnv = "HANGAR_TEST_REGISTRY_PASSWORD";
  ::setenv("HANGAR_TEST_REGISTRY_PASSWORD", "s3cret-env-9c", 1);

  auto insecureOnly = entry("anon.example", {});
  insecureOnly.auth.reset();  // an entry that only says `insecure: true`: no login
  insecureOnly.insecure = true;
  const auto logins = resolveRegistryLogins(
      {entry("registry.example:5000", fromFile), entry("other.example", fromEnv), insecureOnly}, endpoints_);

  EXPECT_EQ(logins.credentials.size(), 2u);
  EXPECT_EQ(logins.credentials.at("registry.example:5000"),
            (registry::Credential{"builder", "s3cret-file-1b", ""}));
  EXPECT_EQ(logins.credentials.at("other.example"), (registry::Credential{"pusher", "s3cret-env-9c", ""}));
  EXPECT_THAT(logins.secretValues, ElementsAre("s3cret-file-1b", "s3cret-env-9c"));
  EXPECT_THAT(azure_.requests("/"), IsEmpty());  // no Azure call for a password
}

TEST_F(RegistryLoginsTest, AManagedIdentityLogsInAsDockerLoginStoresAnAcrAadLogin) {
  config::RegistryAuth auth;
  auth.managedIdentity = config::ManagedIdentityAuth{};  // system-assigned
  const auto logins = resolveRegistryLogins({entry(acrHost(), auth)}, endpoints_);

  const auto& credential = logins.credentials.at(acrHost());
  EXPECT_EQ(credential.username, registry::kAcrTokenUsername);
  EXPECT_EQ(credential.password, "");
  ASSERT_FALSE(credential.identityToken.empty());
  EXPECT_THAT(logins.secretValues, ElementsAre(credential.identityToken));
  // IMDS gave an AAD token for ACR's audience, which /oauth2/exchange took for the refresh token.
  const auto imds = azure_.requests("/metadata/identity/oauth2/token");
  ASSERT_EQ(imds.size(), 1u);
  EXPECT_EQ(imds[0].query.at("resource"), "https://containerregistry.azure.net");
  EXPECT_EQ(imds[0].query.count("client_id"), 0u);
  const auto exchanges = azure_.requests("/oauth2/exchange");
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0].form.at("service"), acrHost());
  // What buildah does with the auth file: trade the identity token at the realm for an access token,
  // which the play registry's /v2/ accepts.
  registry::CurlTransport transport;
  registry::TokenAuthenticator authenticator(
      transport, std::make_shared<registry::StaticCredentialProvider>(credential), acrHost());
  registry::HttpRequest ping;
  ping.url = azure_.url() + "/v2/";
  EXPECT_EQ(authenticator.send(ping, "").status, 200);
  const auto tokens = azure_.requests("/oauth2/token");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].form.at("grant_type"), "refresh_token");
  EXPECT_EQ(tokens[0].form.at("refresh_token"), credential.identityToken);
}

TEST_F(RegistryLoginsTest, AUserAssignedIdentityIsAskedForByItsClientId) {
  azure_.addManagedIdentity("d3b0-client");
  config::RegistryAuth auth;
  auth.managedIdentity = config::ManagedIdentityAuth{"d3b0-client", "", ""};
  const auto logins = resolveRegistryLogins({entry(acrHost(), auth)}, endpoints_);

  EXPECT_FALSE(logins.credentials.at(acrHost()).identityToken.empty());
  EXPECT_EQ(azure_.requests("/metadata/identity/oauth2/token").at(0).query.at("client_id"), "d3b0-client");
}

TEST_F(RegistryLoginsTest, AServicePrincipalWithAClientSecretLogsInThroughAad) {
  azure_.addServicePrincipal("play-tenant", "sp-client", "sp-secret-42e");
  config::RegistryAuth auth;
  auth.servicePrincipal =
      config::ServicePrincipalAuth{"play-tenant", "sp-client", "", "HANGAR_TEST_SP_SECRET", ""};
  ::setenv("HANGAR_TEST_SP_SECRET", "sp-secret-42e", 1);
  const auto logins = resolveRegistryLogins({entry(acrHost(), auth)}, endpoints_);

  const auto& credential = logins.credentials.at(acrHost());
  EXPECT_EQ(credential.username, registry::kAcrTokenUsername);
  EXPECT_FALSE(credential.identityToken.empty());
  EXPECT_THAT(logins.secretValues, ::testing::Contains("sp-secret-42e"));  // masked too
  EXPECT_EQ(azure_.requests("/play-tenant/oauth2/v2.0/token").size(), 1u);
  EXPECT_EQ(azure_.requests("/oauth2/exchange").at(0).form.at("tenant"), "play-tenant");
}

TEST_F(RegistryLoginsTest, AFailedLoginNamesTheHostTheEntryAndTheReasonNeverASecret) {
  azure_.addServicePrincipal("play-tenant", "sp-client", "the-right-secret");
  config::RegistryAuth auth;
  auth.servicePrincipal =
      config::ServicePrincipalAuth{"play-tenant", "sp-client", "", "HANGAR_TEST_SP_WRONG", ""};
  ::setenv("HANGAR_TEST_SP_WRONG", "a-wrong-secret-77", 1);
  try {
    resolveRegistryLogins({entry(acrHost(), auth)}, endpoints_);
    FAIL() << "a wrong client secret logged in";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_THAT(message,
                HasSubstr("cannot log in to registry " + acrHost() + " (/etc/hangar/agent.yaml:12:5)"));
    EXPECT_THAT(message, Not(HasSubstr("a-wrong-secret-77")));
    EXPECT_THAT(message, Not(HasSubstr("the-right-secret")));
  }
}

TEST_F(RegistryLoginsTest, AnOpenPasswordFileIsRefusedNamingTheFile) {
  config::RegistryAuth auth;
  auth.username = "builder";
  auth.passwordFile = dir_.write("open-password", "visible-5d\n",
                                 std::filesystem::perms::owner_read | std::filesystem::perms::others_read)
                          .string();
  try {
    resolveRegistryLogins({entry("registry.example", auth)}, endpoints_);
    FAIL() << "a world-readable password file was used";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(auth.passwordFile));
    EXPECT_THAT(e.what(), Not(HasSubstr("visible-5d")));
  }
}

TEST_F(RegistryLoginsTest, ALongRunExchangesAgainBeforeTheRefreshTokenExpiresAndShowsNoToken) {
  using Clock = std::chrono::system_clock;
  azure_.setLifetimes(std::chrono::hours(1), std::chrono::minutes(20), std::chrono::minutes(10));
  config::RegistryAuth auth;
  auth.managedIdentity = config::ManagedIdentityAuth{};
  RunOnceOptions options;
  options.registries = {entry(acrHost(), auth)};
  options.azure = endpoints_;
  runner::RunRequest request;
  request.runId = "long";
  request.workRoot = dir_.path() / "runs";
  request.dockerConfig = dir_.path() / "no-config.json";
  request.registry = acrHost();
  request.task.steps = {runner::test_helper::cmdStep("build", "tool"),
                        runner::test_helper::cmdStep("push", "tool")};
  const auto before = Clock::now();

  addRegistryLogins(options, request);

  // The refresh token's exp: renewed a quarter of its life (5 minutes) before.
  ASSERT_TRUE(request.loginsExpiry.has_value());
  EXPECT_GT(*request.loginsExpiry, before + std::chrono::minutes(19));
  EXPECT_LT(*request.loginsExpiry, before + std::chrono::minutes(21));
  ASSERT_TRUE(request.renewLogins);
  // The first step takes 16 minutes on the run's clock; each step notes its auth file's token and prints
  // the whole file.
  std::atomic<bool> later{false};
  request.now = [&] { return Clock::now() + (later ? std::chrono::minutes(16) : std::chrono::minutes(0)); };
  std::map<std::string, std::string> seen;
  request.inProcessCommand = [&](const std::string&, const std::vector<std::string>&,
                                 const std::string& stepId, runner::LogSink& log,
                                 const std::filesystem::path& authFile) {
    const std::string text = test::read_file(authFile);
    seen[stepId] = nlohmann::json::parse(text)["auths"][acrHost()].value("identitytoken", "");
    log.output(stepId, text);
    if (stepId == "build") later = true;
    return std::optional<int>(0);
  };
  runner::test_helper::FakeLauncher launcher;
  runner::test_helper::RecordingLog log;

  const auto record = runner::runTask(request, launcher, log, {});

  ASSERT_EQ(record.status, runner::RunStatus::Succeeded) << record.error;
  EXPECT_EQ(azure_.requests("/oauth2/exchange").size(), 2u);
  EXPECT_EQ(azure_.requests("/metadata/identity/oauth2/token").size(), 2u);
  ASSERT_FALSE(seen["build"].empty());
  ASSERT_FALSE(seen["push"].empty());
  EXPECT_NE(seen["push"], seen["build"]);
  const auto issued = azure_.issuedTokens();
  EXPECT_THAT(issued, Contains(seen["build"]));
  EXPECT_THAT(issued, Contains(seen["push"]));
  // The renewed login works: ACR trades it for an access token the registry accepts.
  registry::CurlTransport transport;
  registry::TokenAuthenticator authenticator(
      transport,
      std::make_shared<registry::StaticCredentialProvider>(
          registry::Credential{std::string(registry::kAcrTokenUsername), "", seen["push"]}),
      acrHost());
  registry::HttpRequest ping;
  ping.url = azure_.url() + "/v2/";
  EXPECT_EQ(authenticator.send(ping, "").status, 200);
  // No token Azure issued (AAD's, both refresh tokens) reaches the run's log or record.
  std::string logged = log.text() + log.outputOf("build") + log.outputOf("push");
  EXPECT_THAT(log.outputOf("push"), HasSubstr("\"identitytoken\": \"***\""));
  EXPECT_THAT(log.text(), HasSubstr("Registry logins renewed: " + acrHost()));
  const std::string recorded = record.toJson().dump();
  for (const auto& token : issued) {
    EXPECT_THAT(logged, Not(HasSubstr(token)));
    EXPECT_THAT(recorded, Not(HasSubstr(token)));
  }
}

TEST_F(RegistryLoginsTest, PasswordLoginsAreNeverRenewed) {
  config::RegistryAuth auth;
  auth.username = "builder";
  auth.passwordFile = dir_.write("password", "s3cret-file-7e\n").string();
  RunOnceOptions options;
  options.registries = {entry("registry.example", auth)};
  runner::RunRequest request;

  addRegistryLogins(options, request);

  EXPECT_FALSE(request.loginsExpiry.has_value());
  EXPECT_FALSE(request.renewLogins);
  EXPECT_THAT(request.secretValues, ElementsAre("s3cret-file-7e"));
}

TEST_F(RegistryLoginsTest, ALongClientsLoginIsExchangedAgainWhenItsRefreshTokenNearsExpiry) {
  using namespace std::chrono_literals;
  // Refresh tokens that live 4 minutes are inside the exchanger's 5-minute margin at once: every use
  // exchanges again, as a purge's use does 5 minutes before a 3-hour token ends.
  azure_.setLifetimes(1h, 4min, 75min);
  config::RegistryAuth auth;
  auth.managedIdentity = config::ManagedIdentityAuth{};
  const auto provider = registryLoginProvider(entry(acrHost(), auth), endpoints_);
  EXPECT_EQ(azure_.requests("/oauth2/exchange").size(), 1u);  // logged in when made

  const auto first = provider->credentialFor(acrHost());
  const auto second = provider->credentialFor(acrHost());
  ASSERT_TRUE(first && second);
  EXPECT_EQ(azure_.requests("/oauth2/exchange").size(), 3u);
  EXPECT_NE(first->identityToken, second->identityToken);
  EXPECT_EQ(azure_.requests("/metadata/identity/oauth2/token").size(), 1u);  // the AAD token is still good
  EXPECT_EQ(provider->credentialFor("other.example"), std::nullopt);
}

TEST_F(RegistryLoginsTest, ALongClientsLoginIsExchangedOnceWhileItsRefreshTokenIsGood) {
  config::RegistryAuth auth;
  auth.managedIdentity = config::ManagedIdentityAuth{};
  const auto provider = registryLoginProvider(entry(acrHost(), auth), endpoints_);
  for (int use = 0; use < 3; ++use) EXPECT_TRUE(provider->credentialFor(acrHost()));
  EXPECT_EQ(azure_.requests("/oauth2/exchange").size(), 1u);

  config::RegistryAuth password;
  password.username = "builder";
  password.passwordFile = dir_.write("pw", "long-client-pw\n").string();
  EXPECT_EQ(registryLoginProvider(entry("registry.example", password), endpoints_)
                ->credentialFor("registry.example"),
            (registry::Credential{"builder", "long-client-pw", ""}));
}

TEST_F(RegistryLoginsTest, ALongClientsLoginFailsAtOnceNamingTheEntry) {
  config::RegistryAuth auth;
  auth.managedIdentity = config::ManagedIdentityAuth{"unknown-client", "", ""};
  try {
    registryLoginProvider(entry(acrHost(), auth), endpoints_);
    FAIL() << "an unknown identity logged in";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("cannot log in to registry " + acrHost() + " (/etc/hangar/agent.yaml:12:5)"));
  }
  EXPECT_THAT(azure_.requests("/oauth2/exchange"), IsEmpty());
}

}  // namespace
}  // namespace hangar::agent
