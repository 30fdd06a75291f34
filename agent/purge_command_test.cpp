#include "agent/purge_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "registry/oci_test_images.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/loopback_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome purge(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = runPurgeCommand(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(PurgeCommand, ValidationFailsBeforeAnyRequest) {
  // The registry does not exist: any request would fail differently.
  auto missingFilter = purge({"-r", "127.0.0.1:1", "--ago", "1d"});
  EXPECT_EQ(missingFilter.code, 1);
  EXPECT_EQ(missingFilter.err, "Error: --filter is required when not using --untagged-only\n");
  auto missingAgo = purge({"-r", "127.0.0.1:1", "--filter", "a:b"});
  EXPECT_EQ(missingAgo.err, "Error: --ago is required when not using --untagged-only\n");
  EXPECT_EQ(purge({"-r", "127.0.0.1:1", "--untagged", "--untagged-only"}).code, 1);
  EXPECT_THAT(purge({"-r", "127.0.0.1:1", "-f", "a:b", "--ago", "15"}).err,
              HasSubstr("time: missing unit in duration \"15\""));
  EXPECT_THAT(purge({"-r", "127.0.0.1:1", "-f", "a:b", "--ago", "15p"}).err, HasSubstr("unknown unit \"p\""));
  EXPECT_THAT(purge({"-r", "127.0.0.1:1", "-f", "a:b:c", "--ago", "1d"}).err,
              HasSubstr("unable to correctly parse filter flag"));
  EXPECT_THAT(purge({"-r", "127.0.0.1:1", "-f", ":x", "--ago", "1d"}).err,
              HasSubstr("missing repository name/expression"));
}

struct PurgeCommandOnRegistry : ::testing::Test {
  test::LocalRegistry registry;
  registry::CurlTransport http;
  void push(const std::string& repo, const std::string& tag, const std::string& created) {
    registry::testimages::pushImage(http, registry.url(), repo, tag, created, repo + tag);
  }
};

TEST_F(PurgeCommandOnRegistry, PrintsAcrPurgeLinesAndSummary) {
  push("app", "old", "2020-01-01T00:00:00Z");
  push("app", "older", "2019-01-01T00:00:00Z");
  auto dry = purge({"--registry", registry.host(), "--filter", "app:.*", "--ago", "999999d", "--dry-run",
                    "--concurrency", "100"});
  EXPECT_EQ(dry.code, 0) << dry.err;
  EXPECT_THAT(dry.out,
              HasSubstr("Warning: ago value exceeds maximum duration of 150 years, capping to 150 years\n"));
  EXPECT_THAT(dry.out, HasSubstr("Specified concurrency value too large. Set to maximum value: 32 \n"));
  EXPECT_THAT(dry.out, HasSubstr("DRY RUN: The following output shows what WOULD be deleted"));
  EXPECT_THAT(dry.out,
              HasSubstr("\nNumber of tags to be deleted: 0\nNumber of manifests to be deleted: 0\n"));

  auto real = purge({"-r", registry.host(), "-f", "app:.*", "--ago", "1d", "--concurrency", "0"});
  EXPECT_EQ(real.code, 0) << real.err;
  EXPECT_THAT(real.out, HasSubstr("Specified concurrency value invalid. Set to default value: "));
  EXPECT_THAT(real.out, HasSubstr("Deleting tags for repository: app\n"));
  EXPECT_THAT(real.out, HasSubstr("Deleted " + registry.host() + "/app:old\n"));
  EXPECT_THAT(real.out, HasSubstr("\nNumber of deleted tags: 2\nNumber of deleted manifests: 0\n"));
  EXPECT_TRUE(registry.tags("app").empty());
}

TEST(PurgeCommand, ServerErrorOnDeleteAbortsWithSummaryAndExit1) {
  test::LoopbackServer server;
  server.server().Get("/v2/_catalog", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.has_param("last") ? R"({"repositories":[]})" : R"({"repositories":["a","b"]})",
                    "application/json");
  });
  server.server().Get(R"(/v2/(a|b)/tags/list)", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"tags":["v1"]})", "application/json");
  });
  const std::string config = R"({"created":"2020-01-01T00:00:00Z"})";
  const std::string manifest =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":")" +
      registry::sha256Digest(config) + R"(","size":1},"layers":[]})";
  auto serveManifest = [manifest](const httplib::Request&, httplib::Response& res) {
    res.set_header("Docker-Content-Digest", registry::sha256Digest(manifest));
    res.set_content(manifest, "application/vnd.oci.image.manifest.v1+json");
  };
  server.server().Get(R"(/v2/(a|b)/manifests/.*)", serveManifest);
  server.server().Get(R"(/v2/(a|b)/blobs/.*)", [config](const httplib::Request&, httplib::Response& res) {
    res.set_content(config, "application/json");
  });
  int deletes = 0;
  server.server().Delete(R"(/v2/(a|b)/manifests/.*)", [&](const httplib::Request&, httplib::Response& res) {
    ++deletes;
    res.status = 400;
    res.set_content(R"({"errors":[{"code":"UNSUPPORTED","message":"nope"}]})", "application/json");
  });
  server.start();
  // HEAD is answered by the GET handler (cpp-httplib).
  auto result = purge({"-r", server.host(), "-f", ".*:.*", "--ago", "1d", "--concurrency", "1"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(deletes, 1);  // repository b is never touched
  EXPECT_THAT(result.out, HasSubstr("Failed to delete " + server.host() + "/a:v1, error: "));
  EXPECT_THAT(result.out, Not(HasSubstr("repository: b")));
  EXPECT_THAT(result.out, HasSubstr("\nNumber of deleted tags: 0\n"));
  EXPECT_THAT(result.out, HasSubstr("Failed to complete purge: "));
  EXPECT_THAT(result.err, HasSubstr("Error: DELETE " + server.host() + "/v2/a/manifests/"));
}

struct CollectingLog : runner::LogSink {
  std::string infos, text;
  void info(std::string_view line) override { infos += std::string(line) + "\n"; }
  void output(std::string_view, std::string_view chunk) override { text += chunk; }
};

TEST(AcrCliStep, ClaimsOnlyPurgeOfTheAcrCliImage) {
  EXPECT_TRUE(isAcrCliImage("mcr.microsoft.com/acr/acr-cli:0.19"));
  EXPECT_TRUE(isAcrCliImage("mcr.microsoft.com/acr/acr-cli@sha256:abc"));
  EXPECT_TRUE(isAcrCliImage("mcr.microsoft.com/acr/acr-cli"));
  EXPECT_TRUE(isAcrCliImage("acr"));
  EXPECT_FALSE(isAcrCliImage("mcr.microsoft.com/acr/acr-cli-fork:1"));
  EXPECT_FALSE(isAcrCliImage("mcr.microsoft.com/acr/bash:2ff604c"));
  CollectingLog log;
  EXPECT_EQ(runAcrCliStep("mcr.microsoft.com/acr/acr-cli:0.19", {"tag", "list"}, "s", log, "r", {}),
            std::nullopt);
  EXPECT_EQ(runAcrCliStep("busybox", {"purge", "--help"}, "s", log, "r", {}), std::nullopt);
  EXPECT_EQ(runAcrCliStep("acr", {}, "s", log, "r", {}), std::nullopt);
}

TEST_F(PurgeCommandOnRegistry, AcrCliStepDefaultsToTheRunRegistryAndItsCredentials) {
  push("app", "old", "2020-01-01T00:00:00Z");
  test::TempDir dir("hangar-acr-step");
  // The run's credentials file: anonymous registry, so an empty config; a missing file would fail.
  const auto config = dir.write("config.json", "{}");
  CollectingLog log;
  const auto code =
      runAcrCliStep("mcr.microsoft.com/acr/acr-cli:0.19", {"purge", "--filter", "app:.*", "--ago", "1d"},
                    "purge", log, registry.host(), config);
  ASSERT_EQ(code, 0) << log.text;
  EXPECT_THAT(log.text, HasSubstr("Deleted " + registry.host() + "/app:old\n"));
  EXPECT_THAT(log.infos, HasSubstr("running acr purge natively"));
  EXPECT_TRUE(registry.tags("app").empty());

  // A broken credentials file fails the step, naming the file: proof that it was used.
  const auto broken = dir.write("broken.json", "{not json");
  CollectingLog failed;
  const auto code2 = runAcrCliStep("acr", {"purge", "--filter", "app:.*", "--ago", "1d"}, "purge", failed,
                                   registry.host(), broken);
  EXPECT_EQ(code2, 1);
  EXPECT_THAT(failed.text, HasSubstr("broken.json"));
}

// --agent-config: the registries: entry of the purge's registry logs in (a real docker-registry demanding
// Basic auth, the password from an owner-only file).
struct PurgeWithAgentConfig : ::testing::Test {
  // Sends every request with the registry's Basic login (builder / kPassword), to push the test image.
  struct LoggedIn : registry::HttpTransport {
    registry::HttpTransport& inner;
    explicit LoggedIn(registry::HttpTransport& transport) : inner(transport) {}
    registry::HttpResponse send(const registry::HttpRequest& request) override {
      auto withLogin = request;
      withLogin.headers.emplace_back("Authorization", "Basic YnVpbGRlcjpQdXJnZS1QYTU1LTcxYw==");
      return inner.send(withLogin);
    }
  };
  static constexpr const char* kPassword = "Purge-Pa55-71c";
  test::LocalRegistry registry{test::RegistryLogin{"builder", kPassword}};
  registry::CurlTransport http;
  test::TempDir dir{"hangar-purge-agent-config"};

  void SetUp() override {
    LoggedIn pusher{http};
    registry::testimages::pushImage(pusher, registry.url(), "app", "old", "2020-01-01T00:00:00Z", "old");
    ASSERT_THAT(registry.tags("app"), UnorderedElementsAre("old"));
  }
  // agent.yaml with one registries: entry for the registry, logging in with `passwordFile`.
  std::string agentYaml(const std::filesystem::path& passwordFile) const {
    return dir
        .write("agent.yaml", "registries:\n  - host: " + registry.host() +
                                 "\n    auth:\n      username: builder\n      passwordFile: " +
                                 passwordFile.string() + "\n")
        .string();
  }
  std::vector<std::string> args(std::vector<std::string> more) const {
    std::vector<std::string> words = {"--registry", registry.host(), "--filter", "app:.*", "--ago", "0d"};
    words.insert(words.end(), more.begin(), more.end());
    return words;
  }
};

TEST_F(PurgeWithAgentConfig, TheEntrysPasswordFileLogsInAndThePasswordIsNeverPrinted) {
  const auto config = agentYaml(dir.write("password", std::string(kPassword) + "\n"));
  // Without it the registry refuses the anonymous purge.
  const auto anonymous = purge(args({"--config", dir.write("empty.json", "{}").string()}));
  EXPECT_EQ(anonymous.code, 1) << anonymous.out;
  EXPECT_THAT(registry.tags("app"), UnorderedElementsAre("old"));

  const auto result = purge(args({"--agent-config", config}));
  EXPECT_EQ(result.code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("Deleted " + registry.host() + "/app:old\n"));
  EXPECT_THAT(result.out, HasSubstr("\nNumber of deleted tags: 1\n"));
  EXPECT_TRUE(registry.tags("app").empty());
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kPassword)));
}

TEST_F(PurgeWithAgentConfig, UsernameAndPasswordFlagsWinOverTheEntry) {
  const auto config = agentYaml(dir.write("password", std::string(kPassword) + "\n"));
  const auto result = purge(args({"--agent-config", config, "-u", "builder", "-p", "not-the-password"}));
  EXPECT_EQ(result.code, 1) << result.out;  // the flags' wrong password was used, not the file's
  EXPECT_THAT(result.err, HasSubstr("Error: "));
  EXPECT_THAT(registry.tags("app"), UnorderedElementsAre("old"));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kPassword)));
}

TEST_F(PurgeWithAgentConfig, AnEntryWithoutALoginFallsBackToTheDockerConfig) {
  const auto config =
      dir.write("agent.yaml", "registries:\n  - host: " + registry.host() + "\n    insecure: true\n")
          .string();
  const auto dockerConfig =
      dir.write("config.json",
                R"({"auths":{")" + registry.host() + R"(":{"auth":"YnVpbGRlcjpQdXJnZS1QYTU1LTcxYw=="}}})");
  const auto result = purge(args({"--agent-config", config, "--config", dockerConfig.string()}));
  EXPECT_EQ(result.code, 0) << result.out << result.err;
  EXPECT_TRUE(registry.tags("app").empty());
}

TEST_F(PurgeWithAgentConfig, WithoutAnEntryAgentYamlsDockerConfigIsTheFallback) {
  const auto dockerConfig =
      dir.write("agent-docker.json",
                R"({"auths":{")" + registry.host() + R"(":{"auth":"YnVpbGRlcjpQdXJnZS1QYTU1LTcxYw=="}}})");
  const auto config = dir.write("agent.yaml", "dockerConfig: " + dockerConfig.string() + "\n").string();
  // --config still wins over agent.yaml's file: an empty one gets the anonymous refusal.
  const auto refused =
      purge(args({"--agent-config", config, "--config", dir.write("empty.json", "{}").string()}));
  EXPECT_EQ(refused.code, 1) << refused.out;
  EXPECT_THAT(registry.tags("app"), UnorderedElementsAre("old"));

  const auto result = purge(args({"--agent-config", config}));
  EXPECT_EQ(result.code, 0) << result.out << result.err;
  EXPECT_TRUE(registry.tags("app").empty());
}

TEST_F(PurgeWithAgentConfig, ALoginFailureNamesTheRegistryAndTheEntryNeverTheSecret) {
  const auto open = dir.write("open-password", std::string(kPassword) + "\n",
                              std::filesystem::perms::owner_read | std::filesystem::perms::others_read);
  const auto config = agentYaml(open);
  const auto result = purge(args({"--agent-config", config}));
  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.err,
              HasSubstr("Error: cannot log in to registry " + registry.host() + " (" + config + ":2:"));
  EXPECT_THAT(result.err, HasSubstr(open.string()));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kPassword)));
  EXPECT_THAT(registry.tags("app"), UnorderedElementsAre("old"));

  const auto broken = purge(args({"--agent-config", dir.write("broken.yaml", "registries: [\n").string()}));
  EXPECT_EQ(broken.code, 1);
  EXPECT_THAT(broken.err, HasSubstr("broken.yaml"));
}

}  // namespace
}  // namespace hangar::agent
