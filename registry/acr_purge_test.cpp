#include "registry/acr_purge.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "registry/http_transport.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/loopback_server.hpp"
#include "tests/support/play_acr_registry.hpp"

namespace hangar::registry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
using Clock = std::chrono::system_clock;

constexpr const char* kImage = test::PlayAcrRegistry::kImage;
constexpr const char* kIndex = test::PlayAcrRegistry::kIndex;
constexpr const char* kDockerV2 = test::PlayAcrRegistry::kDockerV2;

// Serves `acr` anonymously on `server`, starts it and returns its host.
std::string serve(test::PlayAcrRegistry& acr, test::LoopbackServer& server) {
  acr.serveAnonymously(server);
  server.start();
  return server.host();
}

struct AcrPurgeTest : ::testing::Test {
  test::PlayAcrRegistry acr;
  test::LoopbackServer server;
  CurlTransport http;
  OciClient client{serve(acr, server), http, nullptr};
  const Clock::time_point now = Clock::now();
  const Clock::time_point old = now - std::chrono::hours(24 * 10);
  const Clock::time_point fresh = now - std::chrono::hours(1);

  std::string purge(PurgeOptions options, PurgeCounts& counts) {
    if (!options.ago) options.ago = std::chrono::hours(24 * 7);
    std::ostringstream out;
    purgeAcrRegistry(client, options, out, counts, now);
    return out.str();
  }
};

TEST_F(AcrPurgeTest, DetectsTheMetadataApiOnlyWhereItExists) {
  EXPECT_TRUE(hasAcrMetadataApi(client));
  test::LocalRegistry plain;
  OciClient other(plain.host(), http, nullptr);
  EXPECT_FALSE(hasAcrMetadataApi(other));
}

TEST_F(AcrPurgeTest, TagsAgedByLastUpdateTimeKeepCountsOnlyEligibleAndLocksAreHonoured) {
  const auto image = acr.manifest("app", old);
  for (int i = 1; i <= 5; ++i) acr.tag("app", "v" + std::to_string(i), image, old + std::chrono::minutes(i));
  acr.tag("app", "new", image, fresh);
  acr.tag("app", "release", image, old);
  acr.tag("app", "locked", image, old + std::chrono::hours(1), /*deleteEnabled=*/false);
  PurgeOptions options;
  options.filters = {"app:^(v|new|locked)"};
  options.keep = 2;
  PurgeCounts counts;
  const auto out = purge(options, counts);
  // v5 and v4 are the newest eligible ones; "locked" and "new" never count toward keep.
  EXPECT_THAT(acr.tagNames("app"), UnorderedElementsAre("v4", "v5", "new", "release", "locked")) << out;
  EXPECT_EQ(counts.tags, 3);
  EXPECT_THAT(out, HasSubstr("Deleted " + server.host() + "/app:v1\n"));
  EXPECT_TRUE(acr.has("app", image));  // untag only: the manifest stays
  EXPECT_EQ(acr.count("DELETE /v2/"), 0);

  options.keep = 0;
  options.includeLocked = true;
  options.filters = {"app:^locked$"};
  PurgeCounts second;
  const auto unlocked = purge(options, second);
  EXPECT_THAT(unlocked, HasSubstr("Unlocked " + server.host() + "/app:locked\n"));
  EXPECT_EQ(second.tags, 1);
  EXPECT_EQ(acr.count("PATCH /acr/v1/app/_tags/locked"), 1);
}

TEST_F(AcrPurgeTest, TagListingPagesAreFollowedWithKeepSpanningPages) {
  const auto image = acr.manifest("app", old);
  for (int i = 0; i < 150; ++i) acr.tag("app", "t" + std::to_string(i), image, old + std::chrono::seconds(i));
  PurgeOptions options;
  options.filters = {"app:.*"};
  options.keep = 120;
  options.concurrency = 4;
  PurgeCounts counts;
  purge(options, counts);
  EXPECT_EQ(counts.tags, 30);
  EXPECT_EQ(acr.tagNames("app").size(), 120u);
  EXPECT_EQ(acr.tagNames("app").front(),
            "t100");  // "t0".."t29" (the oldest) went; sorted names start at t100
}

TEST_F(AcrPurgeTest, UntaggedManifestsRespectTagsIndexesReferrersAgeAndMediaType) {
  const auto onlyTagged = acr.manifest("app", old);  // its only tag goes: deleted in the same run
  acr.tag("app", "v1", onlyTagged, old);
  const auto stillTagged = acr.manifest("app", old);
  acr.tag("app", "v2", stillTagged, old);
  acr.tag("app", "keepme", stillTagged, old);
  const auto child1 = acr.manifest("app", old);
  const auto child2 = acr.manifest("app", old);
  const auto nestedChild = acr.manifest("app", old);
  const auto nested = acr.manifest("app", old, kIndex, {nestedChild});
  const auto taggedIndex = acr.manifest("app", old, kIndex, {child1, nested});
  acr.tag("app", "multi", taggedIndex, old);
  const auto orphanChild = acr.manifest("app", old, kDockerV2);
  const auto orphanIndex = acr.manifest("app", old, kIndex, {orphanChild});
  const auto signature = acr.manifest("app", old, kImage, {}, stillTagged);
  const auto noType = acr.manifest("app", old, "");
  const auto young = acr.manifest("app", fresh);
  const auto timeless = acr.manifest("app", old);
  acr.clearUpdateTime("app", timeless);
  (void)child2;

  PurgeOptions options;
  options.filters = {"app:^v"};
  options.untagged = true;
  PurgeCounts counts;
  const auto out = purge(options, counts);
  EXPECT_FALSE(acr.has("app", onlyTagged)) << out;
  EXPECT_TRUE(acr.has("app", stillTagged));
  EXPECT_TRUE(acr.has("app", child1));
  EXPECT_TRUE(acr.has("app", nested));
  EXPECT_TRUE(acr.has("app", nestedChild));
  EXPECT_FALSE(acr.has("app", orphanIndex));
  EXPECT_FALSE(acr.has("app", orphanChild));
  EXPECT_FALSE(acr.has("app", child2));  // untagged, unreferenced, old
  EXPECT_TRUE(acr.has("app", signature));
  EXPECT_TRUE(acr.has("app", noType));
  EXPECT_TRUE(acr.has("app", young));
  EXPECT_TRUE(acr.has("app", timeless));
  EXPECT_THAT(out, HasSubstr("Manifest " + noType + " has no media type, skipping deletion"));
  EXPECT_THAT(out,
              HasSubstr("Protecting manifest " + timeless + " because the last update time is unavailable"));
  EXPECT_EQ(counts.tags, 2);
  EXPECT_EQ(counts.manifests, 4);
}

TEST_F(AcrPurgeTest, DryRunChangesNothingAndCountsEqualTheRealRun) {
  const auto a = acr.manifest("app", old);
  acr.tag("app", "v1", a, old);
  const auto b = acr.manifest("app", old);
  acr.tag("app", "v2", b, old);
  acr.tag("app", "stay", b, old);
  acr.manifest("app", old);
  acr.manifest("other", old);
  PurgeOptions options;
  options.filters = {"app:^v"};
  options.untagged = true;
  options.dryRun = true;
  PurgeCounts dry;
  const auto out = purge(options, dry);
  EXPECT_EQ(acr.count("DELETE"), 0);
  EXPECT_EQ(acr.count("PATCH"), 0);
  EXPECT_THAT(out, HasSubstr("Would delete: " + server.host() + "/app@" + a + "\n"));
  EXPECT_THAT(out, Not(HasSubstr("@" + b)));
  options.dryRun = false;
  PurgeCounts real;
  purge(options, real);
  EXPECT_EQ(dry.tags, real.tags);
  EXPECT_EQ(dry.manifests, real.manifests);
  EXPECT_EQ(real.tags, 2);
  EXPECT_EQ(real.manifests, 2);
}

TEST_F(AcrPurgeTest, UntaggedOnlyWithKeepKeepsTheNewest) {
  std::vector<std::string> digests;
  for (int i = 0; i < 4; ++i) digests.push_back(acr.manifest("app", old + std::chrono::minutes(i)));
  PurgeOptions options;
  options.untaggedOnly = true;
  options.keep = 3;
  options.ago.reset();
  PurgeCounts counts;
  std::ostringstream out;
  purgeAcrRegistry(client, options, out, counts, now);
  EXPECT_EQ(counts.manifests, 1);
  EXPECT_FALSE(acr.has("app", digests[0]));
  EXPECT_TRUE(acr.has("app", digests[3]));
  EXPECT_EQ(acr.count("GET /acr/v1/app/_tags"), 0);
}

}  // namespace
}  // namespace hangar::registry
