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

}  // namespace
}  // namespace hangar::agent
