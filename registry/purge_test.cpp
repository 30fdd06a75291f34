#include "registry/purge.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "registry/oci_test_images.hpp"
#include "tests/support/local_registry.hpp"

namespace hangar::registry {
namespace {

using namespace std::chrono_literals;
using namespace testimages;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

std::string rfc3339(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// A real registry with helpers to push "old" (2020) and "new" (an hour ago) images.
struct PurgeFixture : ::testing::Test {
  test::LocalRegistry registry;
  CurlTransport http;
  OciClient client{registry.host(), http, nullptr};
  const std::string oldTime = "2020-01-01T00:00:00Z";
  const std::string newTime = rfc3339(std::chrono::system_clock::now() - 1h);
  int labels = 0;

  std::string push(const std::string& repo, const std::string& tag, const std::string& created) {
    return pushImage(http, registry.url(), repo, tag, created, std::to_string(++labels));
  }
  std::string tagAs(const std::string& repo, const std::string& tag, const std::string& digest) {
    return pushManifest(http, registry.url(), repo, tag, client.getManifest(repo, digest)->json);
  }
  std::string purge(PurgeOptions options, PurgeCounts& counts) {
    std::ostringstream out;
    purgeRegistry(client, options, out, counts);
    return out.str();
  }
  static PurgeOptions opts(std::vector<std::string> filters, std::chrono::nanoseconds ago = 7 * 24h) {
    PurgeOptions options;
    options.filters = std::move(filters);
    options.ago = ago;
    options.concurrency = 4;
    return options;
  }
};

TEST_F(PurgeFixture, DeletesOldMatchingTagsKeepsNewAndNonMatching) {
  push("app", "v1", oldTime);
  push("app", "v2", oldTime);
  push("app", "v3", newTime);
  push("app", "other", oldTime);
  push("xapp", "v1", oldTime);
  PurgeCounts counts;
  const auto out = purge(opts({"app:^v"}), counts);
  EXPECT_EQ(counts.tags, 2);
  EXPECT_THAT(registry.tags("app"), UnorderedElementsAre("v3", "other"));
  EXPECT_THAT(registry.tags("xapp"), UnorderedElementsAre("v1"));  // repository expression is anchored
  EXPECT_THAT(out, HasSubstr("Deleting tags for repository: app\n"));
  EXPECT_THAT(out, HasSubstr("Deleted " + registry.host() + "/app:v1\n"));
  EXPECT_THAT(out, Not(HasSubstr("xapp")));
}

TEST_F(PurgeFixture, KeepSparesTheMostRecentEligibleTags) {
  for (int day = 1; day <= 5; ++day)
    push("app", "t" + std::to_string(day), "2020-01-0" + std::to_string(day) + "T00:00:00Z");
  push("app", "fresh", newTime);
  push("app", "zzz", oldTime);
  PurgeOptions options = opts({"app:^t|fresh"});
  options.keep = 2;
  PurgeCounts counts;
  purge(options, counts);
  EXPECT_EQ(counts.tags, 3);
  EXPECT_THAT(registry.tags("app"), UnorderedElementsAre("t4", "t5", "fresh", "zzz"));
}

TEST_F(PurgeFixture, LookaheadFilterAndTwoFiltersOred) {
  push("app", "v1-release", oldTime);
  push("app", "dev-1", oldTime);
  push("lib", "a1", oldTime);
  push("lib", "b1", oldTime);
  push("lib", "c1", oldTime);
  PurgeCounts counts;
  purge(opts({"app:^((?!release).)*$", "lib:^a", "lib:^b"}), counts);
  EXPECT_EQ(counts.tags, 3);
  EXPECT_THAT(registry.tags("app"), UnorderedElementsAre("v1-release"));
  EXPECT_THAT(registry.tags("lib"), UnorderedElementsAre("c1"));
}

TEST_F(PurgeFixture, ManifestWithAKeptTagIsNotDeleted) {
  const auto digest = push("app", "old-1", oldTime);
  tagAs("app", "stable", digest);
  const auto alone = push("app", "old-2", oldTime);
  tagAs("app", "old-3", alone);
  PurgeCounts counts;
  const auto out = purge(opts({"app:^old"}), counts);
  EXPECT_EQ(counts.tags, 2);  // old-2 and old-3 share a manifest that goes; old-1 stays with stable
  EXPECT_THAT(registry.tags("app"), UnorderedElementsAre("old-1", "stable"));
  EXPECT_THAT(out, HasSubstr("Skipped " + registry.host() + "/app:old-1, its manifest"));
}

TEST_F(PurgeFixture, DryRunDeletesNothingAndCountsMatchTheRealRun) {
  push("app", "v1", oldTime);
  push("app", "v2", oldTime);
  const auto shared = push("app", "v3", oldTime);
  tagAs("app", "keep", shared);
  push("app", "v4", newTime);
  auto options = opts({"app:^v"});
  options.dryRun = true;
  PurgeCounts dry;
  const auto out = purge(options, dry);
  EXPECT_THAT(registry.tags("app"), UnorderedElementsAre("v1", "v2", "v3", "v4", "keep"));
  EXPECT_THAT(out, HasSubstr("Would delete tags for repository: app\n"));
  EXPECT_THAT(out, HasSubstr("Would delete: " + registry.host() + "/app:v1\n"));
  options.dryRun = false;
  PurgeCounts real;
  purge(options, real);
  EXPECT_EQ(dry.tags, real.tags);
  EXPECT_EQ(real.tags, 2);
}

TEST_F(PurgeFixture, ChildrenOfAKeptIndexAreProtected) {
  const auto child = push("app", "child-old", oldTime);
  pushIndex(http, registry.url(), "app", "multi", {child});
  PurgeCounts counts;
  const auto out = purge(opts({"app:^child"}), counts);
  EXPECT_EQ(counts.tags, 0);
  EXPECT_THAT(registry.tags("app"), UnorderedElementsAre("child-old", "multi"));
  EXPECT_TRUE(client.headManifest("app", child));
}

TEST_F(PurgeFixture, UntaggedDeletesTheDanglingChildrenOfADeletedIndex) {
  const auto a = push("app", "", oldTime);
  const auto b = push("app", "", oldTime);
  const auto index = pushIndex(http, registry.url(), "app", "idx", {a, b});
  const auto kept = push("app", "", oldTime);
  pushIndex(http, registry.url(), "app", "stays", {kept});
  auto options = opts({"app:^idx$"});
  options.untagged = true;
  PurgeCounts counts;
  const auto out = purge(options, counts);
  EXPECT_EQ(counts.tags, 1);
  EXPECT_EQ(counts.manifests, 2);
  EXPECT_FALSE(client.headManifest("app", index));
  EXPECT_FALSE(client.headManifest("app", a));
  EXPECT_FALSE(client.headManifest("app", b));
  EXPECT_TRUE(client.headManifest("app", kept));
  EXPECT_THAT(out, HasSubstr("Deleting manifests for repository: app\n"));
  EXPECT_THAT(out, HasSubstr("Deleted " + registry.host() + "/app@" + a + "\n"));
}

TEST_F(PurgeFixture, UnknownCreationTimeProtectsAndRepositoriesAreSorted) {
  push("b", "v1", oldTime);
  push("a", "v1", "");
  // An index is as old as its newest child: this one is young although its other child is old.
  pushIndex(http, registry.url(), "b", "mixed",
            {push("b", "", oldTime), push("b", "", newTime)});  // no created time: protected by age
  PurgeCounts counts;
  const auto out = purge(opts({".*:.*"}), counts);
  EXPECT_EQ(counts.tags, 1);
  EXPECT_THAT(registry.tags("a"), UnorderedElementsAre("v1"));
  EXPECT_THAT(registry.tags("b"), UnorderedElementsAre("mixed"));
  EXPECT_LT(out.find("repository: a"), out.find("repository: b"));
}

TEST(PurgeTime, ParsesRfc3339) {
  const auto base = parseRfc3339("2020-01-02T03:04:05Z");
  ASSERT_TRUE(base);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*base), 1577934245);
  EXPECT_EQ(*parseRfc3339("2020-01-02T05:04:05.5+02:00"), *base + 500ms);
  EXPECT_FALSE(parseRfc3339("yesterday"));
  // Far future (a lying registry): the latest time, never wrapped round into the past.
  EXPECT_EQ(*parseRfc3339("2999-01-01T00:00:00Z"), std::chrono::system_clock::time_point::max());
  EXPECT_FALSE(parseRfc3339("2020-01-02T03:04:05"));
}

}  // namespace
}  // namespace hangar::registry
