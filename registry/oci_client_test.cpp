#include "registry/oci_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "registry/oci_test_images.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/loopback_server.hpp"

namespace hangar::registry {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace testimages;

TEST(OciClient, ListsPagesAndReadsManifestsOnARealRegistry) {
  test::LocalRegistry registry;
  CurlTransport http;
  std::vector<std::string> repos = {"app", "base/os", "tools"};
  std::string digest;
  for (const auto& repo : repos)
    digest = pushImage(http, registry.url(), repo, "v1", "2020-01-02T03:04:05Z", repo);
  for (int i = 0; i < 5; ++i)
    pushImage(http, registry.url(), "app", "t" + std::to_string(i), "2021-01-01T00:00:00Z", "a");
  OciClient client(registry.host(), http, nullptr);
  client.ping();
  EXPECT_EQ(client.catalog(2), repos);  // two pages plus one, via Link
  EXPECT_THAT(client.tags("app", 2), ::testing::UnorderedElementsAre("t0", "t1", "t2", "t3", "t4", "v1"));
  try {
    client.tags("missing");
    FAIL() << "expected 404";
  } catch (const RegistryError& e) {
    EXPECT_EQ(e.status(), 404);
  }
  const auto head = client.headManifest("tools", "v1");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->digest, digest);
  EXPECT_EQ(head->mediaType, kOciManifest);
  const auto manifest = client.getManifest("tools", head->digest);
  ASSERT_TRUE(manifest);
  EXPECT_EQ(sha256Digest(manifest->body), head->digest);
  EXPECT_FALSE(manifest->isIndex());
  const std::string configDigest = manifest->json["config"]["digest"];
  EXPECT_TRUE(client.blobExists("tools", configDigest));
  EXPECT_FALSE(client.blobExists("tools", sha256Digest("nope")));
  EXPECT_EQ(nlohmann::json::parse(client.getBlob("tools", configDigest))["created"], "2020-01-02T03:04:05Z");
  EXPECT_FALSE(client.headManifest("tools", "nope"));

  const std::string index = pushIndex(http, registry.url(), "tools", "multi", {digest});
  EXPECT_TRUE(client.getManifest("tools", "multi")->isIndex());
  EXPECT_EQ(client.headManifest("tools", "multi")->digest, index);

  EXPECT_EQ(client.deleteManifest("tools", digest), 202);
  EXPECT_FALSE(client.headManifest("tools", "v1"));
  EXPECT_EQ(client.deleteManifest("tools", digest), 404);
}

TEST(OciClient, FollowsTagLinksWithEncodedLastUntilAbsent) {
  test::LoopbackServer server;
  std::vector<std::string> queries;
  server.server().Get("/v2/app/tags/list", [&](const httplib::Request& req, httplib::Response& res) {
    const std::string last = req.get_param_value("last");
    queries.push_back(last);
    if (last.empty()) {
      res.set_header("Link", "</v2/app/tags/list?n=2&orderby=&last=123%26latest>; rel=\"next\"");
      res.set_content(R"({"name":"app","tags":["1","123&latest"]})", "application/json");
    } else if (last == "123&latest") {
      res.set_content(R"({"name":"app","tags":["z"]})", "application/json");
    } else {
      res.status = 500;
    }
  });
  server.start();
  CurlTransport http;
  OciClient client(server.host(), http, nullptr);
  EXPECT_THAT(client.tags("app", 2), ElementsAre("1", "123&latest", "z"));
  EXPECT_THAT(queries, ElementsAre("", "123&latest"));
}

TEST(OciClient, RejectsAManifestWhoseBodyDoesNotMatchItsDigest) {
  test::LoopbackServer server;
  server.server().Get(R"(/v2/app/manifests/(.*))", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Docker-Content-Digest", sha256Digest("something else"));
    res.set_content(R"({"schemaVersion":2})", kOciManifest);
  });
  server.start();
  CurlTransport http;
  OciClient client(server.host(), http, nullptr);
  try {
    client.getManifest("app", "v1");
    FAIL() << "expected a digest error";
  } catch (const RegistryError& e) {
    EXPECT_EQ(e.code(), "DIGEST_INVALID");
  }
}

TEST(OciClient, FirewallDenialIsExplainedAndNotRetried) {
  test::LoopbackServer server;
  int hits = 0;
  server.server().Get("/v2/", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.status = 403;
    res.set_content(
        R"({"errors":[{"code":"DENIED","message":"client with IP \u00271.2.3.4\u0027 is not allowed access. Refer https://aka.ms/acr/firewall to grant access."}]})",
        "application/json");
  });
  server.start();
  CurlTransport http;
  OciClient client(server.host(), http, nullptr);
  try {
    client.ping();
    FAIL() << "expected 403";
  } catch (const RegistryError& e) {
    EXPECT_EQ(e.status(), 403);
    EXPECT_THAT(e.what(), HasSubstr("client with IP '1.2.3.4' is not allowed access"));
    EXPECT_THAT(e.what(), HasSubstr("private endpoint"));
  }
  EXPECT_EQ(hits, 1);
}

}  // namespace
}  // namespace hangar::registry
