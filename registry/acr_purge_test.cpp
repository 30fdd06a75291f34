#include "registry/acr_purge.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "registry/http_transport.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/loopback_server.hpp"

namespace hangar::registry {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
using Clock = std::chrono::system_clock;

constexpr const char* kImage = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kIndex = "application/vnd.oci.image.index.v1+json";
constexpr const char* kDockerV2 = "application/vnd.docker.distribution.manifest.v2+json";

std::string rfc3339(Clock::time_point when) {
  const std::time_t t = Clock::to_time_t(when);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S.5Z", std::gmtime(&t));
  return text;
}

// Plays ACR's /v2 and /acr/v1 metadata routes (registry-and-purge.md §2) over one in-memory repository set.
struct PlayAcr {
  struct Tag {
    std::string digest;
    std::string updated;
    bool deleteEnabled = true, writeEnabled = true;
  };
  struct Manifest {
    std::string mediaType;
    std::string body;
    std::string updated;  // "" = absent
    bool deleteEnabled = true, writeEnabled = true;
  };
  std::mutex mutex;
  std::map<std::string, std::map<std::string, Tag>> tags;            // repo -> tag -> tag
  std::map<std::string, std::map<std::string, Manifest>> manifests;  // repo -> digest -> manifest
  std::vector<std::string> calls;                                    // "METHOD path"
  test::LoopbackServer server;
  int counter = 0;

  PlayAcr() {
    auto& s = server.server();
    s.set_logger([this](const httplib::Request& req, const httplib::Response&) {
      std::lock_guard lock(mutex);
      calls.push_back(req.method + " " + req.path);
    });
    s.Get("/acr/v1/_catalog", [this](const httplib::Request&, httplib::Response& res) { catalog(res); });
    s.Get("/v2/_catalog", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.has_param("last")) return res.set_content(R"({"repositories":[]})", "application/json");
      catalog(res);
    });
    s.Get(R"(/acr/v1/(.+)/_tags)", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      const std::string repo = req.matches[1];
      if (!tags.contains(repo)) return notFound(res);
      std::vector<std::pair<std::string, Tag>> list(tags[repo].begin(), tags[repo].end());
      std::stable_sort(list.begin(), list.end(),
                       [](auto& a, auto& b) { return a.second.updated > b.second.updated; });
      const size_t n = req.has_param("n") ? std::stoul(req.get_param_value("n")) : 100;
      size_t start = 0;
      if (req.has_param("last")) {
        while (start < list.size() && list[start].first != req.get_param_value("last")) ++start;
        ++start;
      }
      json page = json::array();
      for (size_t i = start; i < list.size() && page.size() < n; ++i) {
        const auto& [name, tag] = list[i];
        page.push_back({{"name", name},
                        {"digest", tag.digest},
                        {"createdTime", tag.updated},
                        {"lastUpdateTime", tag.updated},
                        {"changeableAttributes",
                         {{"deleteEnabled", tag.deleteEnabled},
                          {"writeEnabled", tag.writeEnabled},
                          {"readEnabled", true},
                          {"listEnabled", true}}}});
      }
      if (start + page.size() < list.size()) {
        res.set_header("Link", "</acr/v1/" + repo + "/_tags?last=" + page.back()["name"].get<std::string>() +
                                   "&n=" + std::to_string(n) + "&orderby=timedesc>; rel=\"next\"");
      }
      res.set_content(json{{"registry", "play"}, {"imageName", repo}, {"tags", page}}.dump(),
                      "application/json");
    });
    s.Delete(R"(/acr/v1/(.+)/_tags/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      auto& repoTags = tags[req.matches[1]];
      auto it = repoTags.find(req.matches[2]);
      if (it == repoTags.end()) return notFound(res);
      if (!it->second.deleteEnabled || !it->second.writeEnabled) return locked(res);
      repoTags.erase(it);
      res.status = 202;
    });
    s.Patch(R"(/acr/v1/(.+)/_tags/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      auto& tag = tags[req.matches[1]][req.matches[2]];
      const auto body = json::parse(req.body);
      tag.deleteEnabled = body.value("deleteEnabled", tag.deleteEnabled);
      tag.writeEnabled = body.value("writeEnabled", tag.writeEnabled);
      res.set_content("{}", "application/json");
    });
    s.Get(R"(/acr/v1/(.+)/_manifests)", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      const std::string repo = req.matches[1];
      if (!manifests.contains(repo)) return notFound(res);
      const size_t n = req.has_param("n") ? std::stoul(req.get_param_value("n")) : 100;
      const std::string last = req.has_param("last") ? req.get_param_value("last") : "";
      json page = json::array();
      for (auto it = manifests[repo].upper_bound(last); it != manifests[repo].end() && page.size() < n;
           ++it) {
        json names = json::array();
        for (const auto& [name, tag] : tags[repo])
          if (tag.digest == it->first) names.push_back(name);
        json item = {
            {"digest", it->first},
            {"tags", names},
            {"changeableAttributes",
             {{"deleteEnabled", it->second.deleteEnabled}, {"writeEnabled", it->second.writeEnabled}}}};
        if (!it->second.mediaType.empty()) item["mediaType"] = it->second.mediaType;
        if (!it->second.updated.empty()) item["lastUpdateTime"] = it->second.updated;
        page.push_back(item);
      }
      res.set_content(json{{"registry", "play"}, {"imageName", repo}, {"manifests", page}}.dump(),
                      "application/json");
    });
    s.Patch(R"(/acr/v1/(.+)/_manifests/([^/]+))",
            [this](const httplib::Request& req, httplib::Response& res) {
              std::lock_guard lock(mutex);
              auto& manifest = manifests[req.matches[1]][req.matches[2]];
              manifest.deleteEnabled = manifest.writeEnabled = true;
              res.set_content("{}", "application/json");
            });
    s.Get(R"(/v2/(.+)/manifests/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      auto& repo = manifests[req.matches[1]];
      auto it = repo.find(req.matches[2]);
      if (it == repo.end()) return notFound(res);
      res.set_header("Docker-Content-Digest", it->first);
      res.set_content(it->second.body, it->second.mediaType.empty() ? kImage : it->second.mediaType);
    });
    s.Delete(R"(/v2/(.+)/manifests/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      auto& repo = manifests[req.matches[1]];
      auto it = repo.find(req.matches[2]);
      if (it == repo.end()) return notFound(res);
      if (!it->second.deleteEnabled || !it->second.writeEnabled) return locked(res);
      auto& repoTags = tags[req.matches[1]];
      std::erase_if(repoTags, [&](const auto& entry) { return entry.second.digest == it->first; });
      repo.erase(it);
      res.status = 202;
    });
    server.start();
  }

  void catalog(httplib::Response& res) {
    std::lock_guard lock(mutex);
    json names = json::array();
    for (const auto& [repo, list] : manifests) names.push_back(repo);
    res.set_content(json{{"repositories", names}}.dump(), "application/json");
  }
  static void notFound(httplib::Response& res) {
    res.status = 404;
    res.set_content(R"({"errors":[{"code":"NAME_UNKNOWN","message":"not found"}]})", "application/json");
  }
  static void locked(httplib::Response& res) {
    res.status = 405;
    res.set_content(R"({"errors":[{"code":"UNSUPPORTED","message":"locked"}]})", "application/json");
  }

  // Adds a manifest (image, or index of `children`, optionally with a subject); returns its digest.
  std::string manifest(const std::string& repo, Clock::time_point updated,
                       const std::string& mediaType = kImage, std::vector<std::string> children = {},
                       const std::string& subject = "") {
    json body = {{"schemaVersion", 2}, {"mediaType", mediaType.empty() ? kImage : mediaType}};
    if (isIndexType(mediaType)) {
      body["manifests"] = json::array();
      std::lock_guard lock(mutex);
      for (const auto& child : children) {
        const std::string type = manifests[repo][child].mediaType;
        body["manifests"].push_back(
            {{"mediaType", type.empty() ? kImage : type}, {"digest", child}, {"size", 1}});
      }
    } else {
      body["config"] = {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                        {"digest", sha256Digest(std::to_string(++counter))},
                        {"size", 1}};
      body["layers"] = json::array();
    }
    if (!subject.empty()) body["subject"] = {{"mediaType", kImage}, {"digest", subject}, {"size", 1}};
    if (mediaType.empty()) body.erase("mediaType");
    const std::string text = body.dump();
    const std::string digest = sha256Digest(text);
    std::lock_guard lock(mutex);
    manifests[repo][digest] = {mediaType, text, rfc3339(updated)};
    return digest;
  }
  static bool isIndexType(const std::string& type) { return type == kIndex; }
  void tag(const std::string& repo, const std::string& name, const std::string& digest,
           Clock::time_point updated, bool deleteEnabled = true) {
    std::lock_guard lock(mutex);
    tags[repo][name] = {digest, rfc3339(updated), deleteEnabled, true};
  }
  std::vector<std::string> tagNames(const std::string& repo) {
    std::lock_guard lock(mutex);
    std::vector<std::string> names;
    for (const auto& [name, tag] : tags[repo]) names.push_back(name);
    return names;
  }
  bool has(const std::string& repo, const std::string& digest) {
    std::lock_guard lock(mutex);
    return manifests[repo].contains(digest);
  }
  int count(const std::string& prefix) {
    std::lock_guard lock(mutex);
    return static_cast<int>(
        std::count_if(calls.begin(), calls.end(), [&](auto& c) { return c.starts_with(prefix); }));
  }
};

struct AcrPurgeTest : ::testing::Test {
  PlayAcr acr;
  CurlTransport http;
  OciClient client{acr.server.host(), http, nullptr};
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
  EXPECT_THAT(out, HasSubstr("Deleted " + acr.server.host() + "/app:v1\n"));
  EXPECT_TRUE(acr.has("app", image));  // untag only: the manifest stays
  EXPECT_EQ(acr.count("DELETE /v2/"), 0);

  options.keep = 0;
  options.includeLocked = true;
  options.filters = {"app:^locked$"};
  PurgeCounts second;
  const auto unlocked = purge(options, second);
  EXPECT_THAT(unlocked, HasSubstr("Unlocked " + acr.server.host() + "/app:locked\n"));
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
  acr.manifests["app"][timeless].updated = "";
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
  EXPECT_THAT(out, HasSubstr("Would delete: " + acr.server.host() + "/app@" + a + "\n"));
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
