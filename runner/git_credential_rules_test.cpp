#include "runner/git_credential_rules.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "runner/context_fetch.hpp"
#include "runner/git_error.hpp"
#include "runner/git_http_test_server.hpp"
#include "runner/git_test_repo.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

config::GitCredentialSettings hostRule(const std::string& host) {
  config::GitCredentialSettings rule;
  rule.host = host;
  rule.tokenEnv = "HANGAR_TEST_GIT_TOKEN";
  return rule;
}

config::GitCredentialSettings prefixRule(const std::string& prefix) {
  config::GitCredentialSettings rule;
  rule.urlPrefix = prefix;
  rule.tokenEnv = "HANGAR_TEST_GIT_TOKEN";
  return rule;
}

TEST(GitCredentialRules, HostRulesMatchTheHostOfEveryUrlForm) {
  EXPECT_TRUE(gitCredentialRuleMatches(hostRule("dev.azure.com"), "https://dev.azure.com/org/p/_git/r"));
  EXPECT_TRUE(gitCredentialRuleMatches(hostRule("Dev.Azure.com"), "https://user@DEV.azure.com/org/p/_git/r"));
  EXPECT_TRUE(gitCredentialRuleMatches(hostRule("github.com"), "git@github.com:org/repo.git"));
  EXPECT_TRUE(gitCredentialRuleMatches(hostRule("127.0.0.1"), "ssh://git@127.0.0.1:2222/srv/repo.git"));
  EXPECT_TRUE(gitCredentialRuleMatches(hostRule("127.0.0.1:2222"), "ssh://git@127.0.0.1:2222/srv/repo.git"));
  EXPECT_FALSE(gitCredentialRuleMatches(hostRule("127.0.0.1:2223"), "ssh://git@127.0.0.1:2222/srv/repo.git"));
  EXPECT_FALSE(gitCredentialRuleMatches(hostRule("azure.com"), "https://dev.azure.com/org"));
  EXPECT_FALSE(gitCredentialRuleMatches(hostRule("dev.azure.com"), "https://dev.azure.com.evil.example/x"));
  EXPECT_TRUE(gitCredentialRuleMatches(hostRule("[::1]:8080"), "http://[::1]:8080/repo.git"));
}

TEST(GitCredentialRules, PrefixRulesMatchAtAPathBoundary) {
  EXPECT_TRUE(
      gitCredentialRuleMatches(prefixRule("https://ghe.example/org"), "https://ghe.example/org/app.git"));
  EXPECT_TRUE(
      gitCredentialRuleMatches(prefixRule("https://ghe.example/org/"), "https://x@GHE.example/org/a"));
  EXPECT_FALSE(
      gitCredentialRuleMatches(prefixRule("https://ghe.example/org"), "https://ghe.example/organ/a"));
  EXPECT_FALSE(gitCredentialRuleMatches(prefixRule("https://ghe.example/org"), "http://ghe.example/org/a"));
  EXPECT_FALSE(gitCredentialRuleMatches(prefixRule("https://ghe.example"), "https://ghe.example.evil/a"));
}

TEST(GitCredentialRules, TheMostSpecificRuleWinsAndOnlyForItsUrls) {
  ::setenv("HANGAR_TEST_GIT_TOKEN", "token-1", 1);
  config::GitCredentialSettings byHost = hostRule("ghe.example");
  byHost.username = "host-user";
  config::GitCredentialSettings byPrefix = prefixRule("https://ghe.example/team");
  byPrefix.username = "team-user";
  const std::vector<config::GitCredentialSettings> rules{byHost, byPrefix};

  auto team = gitCredentialsFor(rules, "https://ghe.example/team/app.git");
  ASSERT_TRUE(team.has_value());
  EXPECT_EQ(team->username, "team-user");
  EXPECT_EQ(team->password, "token-1");
  ASSERT_TRUE(team->appliesTo);
  EXPECT_TRUE(team->appliesTo("https://ghe.example/team/lib.git"));
  EXPECT_FALSE(team->appliesTo("https://other.example/team/lib.git"));  // e.g. a submodule elsewhere

  EXPECT_EQ(gitCredentialsFor(rules, "https://ghe.example/other.git")->username, "host-user");
  EXPECT_FALSE(gitCredentialsFor(rules, "https://elsewhere.example/x.git").has_value());
  ::unsetenv("HANGAR_TEST_GIT_TOKEN");
}

TEST(GitCredentialRules, AnUnreadableSourceNamesTheEntryNotAValue) {
  test::TempDir dir{"hangar-git-rules"};
  auto open = dir.write("token", "ghp_world_readable");
  ::chmod(open.c_str(), 0644);
  config::GitCredentialSettings rule = hostRule("ghe.example");
  rule.tokenEnv.clear();
  rule.tokenFile = open.string();
  rule.position = {"agent.yaml", 7, 5};
  try {
    gitCredentialsFor({rule}, "https://ghe.example/a.git");
    FAIL() << "a world-readable token file was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), AllOf(HasSubstr("agent.yaml:7: gitCredentials entry for ghe.example"),
                                    HasSubstr(open.string()), HasSubstr("mode 0644"),
                                    Not(HasSubstr("ghp_world_readable"))));
  }
}

/// Fetches over smart HTTP with basic auth, the credentials coming from agent.yaml entries.
class GitCredentialRulesHttp : public ::testing::Test {
 protected:
  GitCredentialRulesHttp() : repo(dir.path() / "served", "app"), server(dir.path() / "served") {
    head = repo.commit("Dockerfile", "FROM scratch\n");
    repo.push();
    server.user = "builder";
    server.password = "right-pat-7Qx";
    url = server.url("/git/app.git");
    options.mirrorRoot = dir.path() / "state" / "git-mirrors";
  }
  std::filesystem::path secretFile(const std::string& name, const std::string& value) {
    auto path = dir.write(name, value);
    ::chmod(path.c_str(), 0600);
    return path;
  }
  /// Fetches with the credentials `rules` give the URL; returns the GitError message ("" on success).
  std::string fetchWith(const std::vector<config::GitCredentialSettings>& rules) {
    options.credentials = gitCredentialsFor(rules, url).value_or(GitCredentials{});
    try {
      EXPECT_EQ(fetchContext(parseContextUrl(url + "#main"), dir.path() / "ws", options).commit, head);
      return "";
    } catch (const GitError& error) {
      EXPECT_EQ(error.failure(), GitFailure::Auth) << error.what();
      return error.what();
    }
  }
  test::TempDir dir{"hangar-git-rules-http"};
  test::GitTestRepo repo;
  test::GitHttpTestServer server;
  std::string head, url;
  ContextFetchOptions options;
};

TEST_F(GitCredentialRulesHttp, RightPasswordFileFetches) {
  config::GitCredentialSettings rule;
  rule.host = "127.0.0.1";
  rule.username = "builder";
  rule.passwordFile = secretFile("pw", "right-pat-7Qx").string();
  EXPECT_EQ(fetchWith({rule}), "");
}

TEST_F(GitCredentialRulesHttp, WrongTokenIsAClearErrorNamingTheUrlWithoutTheSecret) {
  config::GitCredentialSettings rule;
  rule.urlPrefix = server.url("/git/");
  rule.username = "builder";
  rule.tokenFile = secretFile("token", "wrong-pat-Zz9").string();
  const std::string message = fetchWith({rule});
  EXPECT_THAT(message, AllOf(HasSubstr(url), HasSubstr("'main'"), HasSubstr("authentication failed"),
                             Not(HasSubstr("wrong-pat-Zz9")), Not(HasSubstr("right-pat"))));
}

TEST_F(GitCredentialRulesHttp, AnEntryForAnotherHostIsNeverSent) {
  config::GitCredentialSettings rule;
  rule.host = "127.0.0.1:1";  // another port: not this server
  rule.username = "builder";
  rule.passwordFile = secretFile("pw", "right-pat-7Qx").string();
  EXPECT_FALSE(gitCredentialsFor({rule}, url).has_value());
  // Even handed over for this URL, credentials scoped to another server are not offered to it.
  GitCredentials scoped;
  scoped.username = "builder";
  scoped.password = "right-pat-7Qx";
  scoped.appliesTo = [](const std::string& candidate) {
    return gitCredentialRuleMatches(hostRule("127.0.0.1:1"), candidate);
  };
  options.credentials = scoped;
  try {
    fetchContext(parseContextUrl(url + "#main"), dir.path() / "ws", options);
    FAIL() << "credentials scoped to another server were sent";
  } catch (const GitError& error) {
    EXPECT_EQ(error.failure(), GitFailure::Auth) << error.what();
    EXPECT_THAT(error.what(), HasSubstr("no matching credentials"));
  }
}

}  // namespace
}  // namespace hangar::runner
