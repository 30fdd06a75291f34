// How many requests purge makes on a real registry: only those its decisions need (one per tag to resolve
// it, a config only when the age matters and once per config digest, a DELETE per doomed manifest).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <sstream>

#include "registry/oci_test_images.hpp"
#include "registry/purge.hpp"
#include "tests/support/local_registry.hpp"

namespace hangar::registry {
namespace {

using namespace std::chrono_literals;
using namespace testimages;
using ::testing::UnorderedElementsAre;

// Counts what goes through it by "METHOD kind" (kind: manifests, blobs, tags, catalog, other).
class CountingTransport : public HttpTransport {
 public:
  explicit CountingTransport(HttpTransport& inner) : inner_(inner) {}
  HttpResponse send(const HttpRequest& request) override {
    std::string kind = "other";
    for (const char* k : {"/manifests/", "/blobs/", "/tags/", "/_catalog"}) {
      if (request.url.find(k) != std::string::npos)
        kind = std::string(k).substr(1, std::string(k).size() - 2);
    }
    if (kind == "_catalog") kind = "catalog";
    {
      std::lock_guard lock(mutex_);
      ++counts_[request.method + " " + kind];
    }
    return inner_.send(request);
  }
  int count(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = counts_.find(key);
    return it == counts_.end() ? 0 : it->second;
  }
  int total() const {
    std::lock_guard lock(mutex_);
    int sum = 0;
    for (const auto& [key, n] : counts_) sum += n;
    return sum;
  }

 private:
  HttpTransport& inner_;
  mutable std::mutex mutex_;
  std::map<std::string, int> counts_;
};

struct PurgeRequestsFixture : ::testing::Test {
  test::LocalRegistry registry;
  CurlTransport http;
  CountingTransport counting{http};
  OciClient client{registry.host(), counting, nullptr};
  const std::string oldTime = "2020-01-01T00:00:00Z";
  int labels = 0;

  std::string push(const std::string& repo, const std::string& tag, const std::string& created) {
    return pushImage(http, registry.url(), repo, tag, created, std::to_string(++labels));
  }
  // A distinct manifest (an extra annotation) with the same config as `digest`, tagged `tag`.
  std::string sameConfig(const std::string& from, const std::string& digest, const std::string& repo,
                         const std::string& tag) {
    CurlTransport plain;
    OciClient reader(registry.host(), plain, nullptr);
    auto manifest = reader.getManifest(from, digest)->json;
    manifest["annotations"] = {{"hangar.test.copy", repo + ":" + tag}};
    const std::string config = reader.getBlob(from, manifest["config"]["digest"]);
    pushBlob(http, registry.url(), repo, config);
    pushBlob(http, registry.url(), repo, "hangar-test-layer");
    return pushManifest(http, registry.url(), repo, tag, manifest);
  }
  PurgeCounts purge(std::vector<std::string> filters, std::chrono::nanoseconds ago) {
    PurgeOptions options;
    options.filters = std::move(filters);
    options.ago = ago;
    options.concurrency = 4;
    PurgeCounts counts;
    std::ostringstream out;
    purgeRegistry(client, options, out, counts);
    return counts;
  }
};

TEST_F(PurgeRequestsFixture, OneManifestReadPerTagAndOneConfigReadPerConfig) {
  for (int i = 0; i < 4; ++i) push("app", "old" + std::to_string(i), oldTime);
  push("app", "new", "2999-01-01T00:00:00Z");
  const auto counts = purge({"app:.*"}, 7 * 24h);
  EXPECT_EQ(counts.tags, 4);
  EXPECT_THAT(registry.tags("app"), UnorderedElementsAre("new"));
  // Before: a HEAD, a manifest GET and a config GET for every tag (15), now a GET and a config per tag.
  EXPECT_EQ(counting.count("HEAD manifests"), 0);
  EXPECT_EQ(counting.count("GET manifests"), 5);
  EXPECT_EQ(counting.count("GET blobs"), 5);
  EXPECT_EQ(counting.count("DELETE manifests"), 4);
  EXPECT_EQ(counting.total(), 1 + 1 + 5 + 5 + 4);  // catalog, tag list, manifests, configs, deletions
}

TEST_F(PurgeRequestsFixture, ConfigsSharedByManyTagsAndRepositoriesAreReadOnce) {
  const auto first = push("a", "t0", oldTime);
  for (const auto repo : {"a", "b"}) {
    for (int i = 1; i <= 3; ++i) sameConfig("a", first, repo, "t" + std::to_string(i));
  }
  const auto counts = purge({"a:.*", "b:.*"}, 7 * 24h);
  EXPECT_EQ(counts.tags, 7);
  EXPECT_EQ(counting.count("GET manifests"), 7);
  EXPECT_EQ(counting.count("GET blobs"), 1);  // one config digest for all seven images in two repositories
  EXPECT_EQ(counting.count("DELETE manifests"), 7);
}

TEST_F(PurgeRequestsFixture, NoConfigReadWhenTheAgeCannotMatter) {
  for (int i = 0; i < 3; ++i) push("app", "v" + std::to_string(i), "");  // no created time at all
  push("app", "keep", oldTime);
  const auto counts = purge({"app:^v"}, 0s);
  // --ago 0: every matching tag is old enough, whatever its config says (as on ACR): no config is read.
  EXPECT_EQ(counts.tags, 3);
  EXPECT_THAT(registry.tags("app"), UnorderedElementsAre("keep"));
  EXPECT_EQ(counting.count("GET blobs"), 0);
  EXPECT_EQ(counting.count("GET manifests"), 3);   // the matching tags
  EXPECT_EQ(counting.count("HEAD manifests"), 1);  // "keep" does not match: its digest is all that matters
}

TEST_F(PurgeRequestsFixture, NonMatchingTagsCostOneHeadEach) {
  for (int i = 0; i < 5; ++i) push("app", "release-" + std::to_string(i), oldTime);
  const auto counts = purge({"app:^dev"}, 7 * 24h);
  EXPECT_EQ(counts.tags, 0);
  EXPECT_EQ(counting.count("HEAD manifests"), 5);
  EXPECT_EQ(counting.count("GET manifests"), 0);
  EXPECT_EQ(counting.count("GET blobs"), 0);
  EXPECT_EQ(counting.count("DELETE manifests"), 0);
}

}  // namespace
}  // namespace hangar::registry
