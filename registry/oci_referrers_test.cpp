// Referrers: the OCI referrers API (a loopback server speaking it) and the tag-schema fallback on a real
// docker-registry, which has no referrers API.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "registry/oci_client.hpp"
#include "registry/oci_test_images.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/loopback_server.hpp"

namespace hangar::registry {
namespace {

using nlohmann::json;

TEST(OciReferrers, TagSchemaFallbackOnARegistryWithoutTheApi) {
  test::LocalRegistry registry;
  CurlTransport http;
  const std::string subject = testimages::pushImage(http, registry.url(), "app", "v1", "", "subject");
  const json subjectDescriptor = {{"mediaType", testimages::kOciManifest}, {"digest", subject}, {"size", 1}};
  const std::string signature =
      testimages::pushImage(http, registry.url(), "app", "", "", "signature", subjectDescriptor);
  const std::string hex = subject.substr(std::string("sha256:").size());
  testimages::pushIndex(http, registry.url(), "app", "sha256-" + hex, {signature});

  OciClient client(registry.host(), http, nullptr);
  const auto found = client.referrers("app", subject);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at("digest"), signature);
  EXPECT_TRUE(client.referrers("app", signature).empty());  // no "sha256-<hex>" tag: no referrers
}

TEST(OciReferrers, ApiPagesAreFollowedAndUnappliedFiltersAppliedByTheClient) {
  test::LoopbackServer server;
  const std::string digest = "sha256:" + std::string(64, 'a');
  int calls = 0;
  server.server().Get(R"(/v2/app/referrers/(.+))", [&](const httplib::Request& req, httplib::Response& res) {
    ++calls;
    const bool second = req.has_param("page");
    json manifests = json::array();
    manifests.push_back({{"mediaType", testimages::kOciManifest},
                         {"digest", "sha256:" + std::string(64, second ? 'c' : 'b')},
                         {"size", 1},
                         {"artifactType", second ? "application/spdx+json" : "application/vnd.cncf.notary"}});
    if (!second) res.set_header("Link", "</v2/app/referrers/" + digest + "?page=2>; rel=\"next\"");
    res.set_content(
        json{{"schemaVersion", 2}, {"mediaType", testimages::kOciIndex}, {"manifests", manifests}}.dump(),
        testimages::kOciIndex);
  });
  server.start();
  CurlTransport http;
  OciClient client(server.host(), http, nullptr);
  EXPECT_EQ(client.referrers("app", digest).size(), 2u);
  const auto sboms = client.referrers("app", digest, "application/spdx+json");
  ASSERT_EQ(sboms.size(), 1u);
  EXPECT_EQ(sboms[0].at("digest"), "sha256:" + std::string(64, 'c'));
  EXPECT_EQ(calls, 4);
}

}  // namespace
}  // namespace hangar::registry
