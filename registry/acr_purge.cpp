#include "registry/acr_purge.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "registry/link_header.hpp"
#include "registry/parallel_for.hpp"
#include "registry/tag_filter.hpp"

namespace hangar::registry {
namespace {

using Clock = std::chrono::system_clock;
using nlohmann::json;

constexpr const char* kUnlock = R"({"deleteEnabled":true,"writeEnabled":true})";
constexpr int kMaxPages = 100'000;

// A missing changeableAttributes (or field) means unlocked (acr-cli would crash; §1.6 note).
bool isLocked(const json& item) {
  const auto it = item.find("changeableAttributes");
  if (it == item.end() || !it->is_object()) return false;
  return it->value("deleteEnabled", true) == false || it->value("writeEnabled", true) == false;
}

bool isIndexType(const std::string& mediaType) {
  return mediaType == "application/vnd.oci.image.index.v1+json" ||
         mediaType == "application/vnd.docker.distribution.manifest.list.v2+json";
}

bool isOciType(const std::string& mediaType) {
  return mediaType == "application/vnd.oci.image.manifest.v1+json" ||
         mediaType == "application/vnd.oci.image.index.v1+json" ||
         mediaType == "application/vnd.oci.artifact.manifest.v1+json";
}

std::string failure(const std::string& what, const HttpResponse& response) {
  std::string text = what + ": HTTP " + std::to_string(response.status);
  try {
    const auto body = json::parse(response.body);
    if (body.contains("errors") && body["errors"].is_array() && !body["errors"].empty()) {
      text += " " + body["errors"][0].value("code", "") + ": " + body["errors"][0].value("message", "");
    }
  } catch (const json::exception&) {
  }
  return text;
}

struct Item {
  std::string name;  // tag name or digest
  std::string digest;
  std::optional<Clock::time_point> updated;
  bool locked = false;
  std::string mediaType;
};

class AcrRepositoryPurge {
 public:
  AcrRepositoryPurge(OciClient& client, const PurgeOptions& options, const TagFilter& filter,
                     std::ostream& out, PurgeCounts& counts, Clock::time_point now, std::string repository)
      : client_(client),
        options_(options),
        filter_(filter),
        out_(out),
        counts_(counts),
        now_(now),
        repo_(std::move(repository)),
        prefix_(client.registry() + "/" + repo_),
        scope_("repository:" + repo_ + ":pull,delete,metadata_read,metadata_write") {}

  void run() {
    if (!options_.untaggedOnly && !purgeTags()) return;
    if (options_.untagged || options_.untaggedOnly) purgeManifests();
  }

 private:
  void print(const std::string& line) {
    std::lock_guard lock(mutex_);
    out_ << line << "\n";
  }
  Clock::time_point cutoff() const {
    return options_.ago ? now_ - std::chrono::duration_cast<Clock::duration>(*options_.ago) : now_;
  }

  // Pages of an /acr/v1 listing; false when the repository does not exist.
  bool list(std::string next, const char* key, bool byLastDigest,
            const std::function<void(const json&)>& each) {
    const std::string first = next;
    for (int page = 0; !next.empty() && page < kMaxPages; ++page) {
      const auto response = client_.request("GET", next, scope_);
      if (response.status == 404) return false;
      if (response.status == 401) {
        throw RegistryError("insufficient permissions to purge " +
                                std::string(byLastDigest ? "manifests" : "tags") + " for repository \"" +
                                repo_ + "\"",
                            401, "UNAUTHORIZED");
      }
      if (response.status != 200)
        throw RegistryError(failure("GET " + prefix_ + " " + next, response), response.status, "");
      json body;
      try {
        body = json::parse(response.body);
      } catch (const json::exception&) {
        throw RegistryError("GET " + client_.registry() + next + ": malformed JSON", response.status, "");
      }
      const auto& items = body[key];
      if (!items.is_array() || items.empty()) break;
      for (const auto& item : items) each(item);
      std::string link = nextPageLink(response.header("link"));
      if (link.empty() && byLastDigest) {
        const std::string last = items.back().value("digest", "");
        link = last.empty() ? "" : first + "&last=" + last;
      }
      if (link == next) break;
      next = link;
    }
    return true;
  }

  Item itemOf(const json& entry, const char* nameKey) {
    Item item;
    item.name = entry.value(nameKey, "");
    item.digest = entry.value("digest", "");
    if (entry.contains("lastUpdateTime") && entry["lastUpdateTime"].is_string()) {
      item.updated = parseRfc3339(entry["lastUpdateTime"].get<std::string>());
    }
    item.locked = isLocked(entry);
    item.mediaType = entry.value("mediaType", "");
    return item;
  }

  void unlock(const std::string& path, const std::string& ref) {
    const auto response = client_.request("PATCH", path, scope_,
                                          {{"Content-Type", "application/json; charset=utf-8"}}, kUnlock);
    if (response.status == 200) {
      print("Unlocked " + ref);
    } else {
      print("Warning: Failed to unlock " + ref + ", error: " + failure("PATCH", response) +
            ". Will attempt deletion anyway.");
    }
  }

  // Counts a deletion by its status (acr purge's rules); throws on a real failure.
  bool judge(long status, const std::string& ref, const std::string& error) {
    if (status == 200 || status == 202) {
      print("Deleted " + ref);
      return true;
    }
    if (status == 404) {
      print("Skipped " + ref + ", HTTP status: 404");
      return true;
    }
    if (status == 405) {
      print("Skipped " + ref + ", operation not allowed, HTTP status: 405");
      return false;
    }
    print("Failed to delete " + ref + ", error: " + error);
    throw RegistryError(error, status, "");
  }

  bool purgeTags() {
    const auto limit = cutoff();
    std::vector<Item> doomed;
    int kept = 0;
    const bool found =
        list("/acr/v1/" + repo_ + "/_tags?n=100&orderby=timedesc", "tags", false, [&](const json& entry) {
          Item tag = itemOf(entry, "name");
          const bool eligible = filter_.matchesTag(repo_, tag.name) && tag.updated && *tag.updated < limit &&
                                (options_.includeLocked || !tag.locked);
          if (!eligible) return;
          if (kept < options_.keep) {
            ++kept;
          } else {
            doomed.push_back(std::move(tag));
          }
        });
    if (!found) {
      print(repo_ + " repository not found");
      return false;
    }
    print(std::string(options_.dryRun ? "Would delete" : "Deleting") + " tags for repository: " + repo_);
    if (options_.dryRun) {
      for (const auto& tag : doomed) {
        print("Would delete: " + prefix_ + ":" + tag.name);
        ++counts_.tags;
        ++wouldUntag_[tag.digest];
      }
      return true;
    }
    parallelFor(doomed.size(), options_.concurrency, [&](size_t i) {
      const auto& tag = doomed[i];
      const std::string ref = prefix_ + ":" + tag.name;
      const std::string path = "/acr/v1/" + repo_ + "/_tags/" + tag.name;
      if (tag.locked) unlock(path, ref);
      const auto response = client_.request("DELETE", path, scope_);
      if (judge(response.status, ref, failure("DELETE " + ref, response))) {
        std::lock_guard lock(mutex_);
        ++counts_.tags;
      }
    });
    return true;
  }

  // Adds every child of the index `digest` (breadth first, nested indexes too) to ignored_.
  void protectChildren(const std::string& digest) {
    std::vector<std::string> queue{digest};
    std::set<std::string> seen;
    while (!queue.empty()) {
      const std::string next = queue.back();
      queue.pop_back();
      if (!seen.insert(next).second) continue;
      const auto manifest = client_.getManifest(repo_, next);
      if (!manifest || !manifest->json.contains("manifests") || !manifest->json["manifests"].is_array())
        continue;
      for (const auto& child : manifest->json["manifests"]) {
        const std::string childDigest = child.value("digest", "");
        if (childDigest.empty()) continue;
        ignored_.insert(childDigest);
        if (isIndexType(child.value("mediaType", ""))) queue.push_back(childDigest);
      }
    }
  }

  void purgeManifests() {
    const auto limit = cutoff();
    std::vector<Item> candidates;
    const bool found =
        list("/acr/v1/" + repo_ + "/_manifests?n=100", "manifests", true, [&](const json& entry) {
          Item manifest = itemOf(entry, "digest");
          if (manifest.digest.empty() || ignored_.contains(manifest.digest)) return;
          if (manifest.locked && !options_.includeLocked) return;
          const size_t tagCount =
              entry.contains("tags") && entry["tags"].is_array() ? entry["tags"].size() : 0;
          const bool tagged =
              options_.dryRun ? tagCount > static_cast<size_t>(wouldUntag_[manifest.digest]) : tagCount > 0;
          bool protectedByAge = false;
          if (!tagged) {
            if (!entry.contains("lastUpdateTime")) {
              print("Protecting manifest " + manifest.digest +
                    " because the last update time is unavailable");
              protectedByAge = true;
            } else if (!manifest.updated) {
              print("Protecting manifest " + manifest.digest +
                    " because the last update time cannot be read");
              protectedByAge = true;
            } else {
              protectedByAge = !(*manifest.updated < limit);
            }
          }
          if (tagged || protectedByAge) {
            if (manifest.mediaType.empty() || isIndexType(manifest.mediaType))
              protectChildren(manifest.digest);
            return;
          }
          candidates.push_back(std::move(manifest));
        });
    if (!found) {
      print(repo_ + " repository not found");
      return;
    }
    print(std::string(options_.dryRun ? "Would delete" : "Deleting") + " manifests for repository: " + repo_);
    // Inspect candidates: no media type, referrers (subject) and what they reference are not deleted.
    std::vector<char> deletable(candidates.size(), 1);
    parallelFor(candidates.size(), options_.concurrency, [&](size_t i) {
      const auto& candidate = candidates[i];
      if (candidate.mediaType.empty()) {
        print("Manifest " + candidate.digest + " has no media type, skipping deletion");
        deletable[i] = 0;
        return;
      }
      if (!isOciType(candidate.mediaType)) return;
      const auto manifest = client_.getManifest(repo_, candidate.digest);
      if (!manifest) {
        deletable[i] = 0;
        return;
      }
      if (manifest->json.contains("subject") && manifest->json["subject"].is_object()) {
        deletable[i] = 0;
        std::lock_guard lock(mutex_);
        ignored_.insert(candidate.digest);
        if (manifest->json.contains("manifests") && manifest->json["manifests"].is_array()) {
          for (const auto& child : manifest->json["manifests"]) ignored_.insert(child.value("digest", ""));
        }
      }
    });
    std::vector<Item> doomed;
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (deletable[i] && !ignored_.contains(candidates[i].digest)) doomed.push_back(candidates[i]);
    }
    if (options_.keep > 0) {
      if (doomed.size() <= static_cast<size_t>(options_.keep)) return;
      std::sort(doomed.begin(), doomed.end(), [](const Item& a, const Item& b) {
        if (a.updated && b.updated && *a.updated != *b.updated) return *a.updated > *b.updated;
        if (a.updated.has_value() != b.updated.has_value()) return a.updated.has_value();
        return a.digest < b.digest;
      });
      doomed.erase(doomed.begin(), doomed.begin() + options_.keep);
    }
    if (options_.dryRun) {
      for (const auto& manifest : doomed) {
        print("Would delete: " + prefix_ + "@" + manifest.digest);
        ++counts_.manifests;
      }
      return;
    }
    parallelFor(doomed.size(), options_.concurrency, [&](size_t i) {
      const auto& manifest = doomed[i];
      const std::string ref = prefix_ + "@" + manifest.digest;
      if (manifest.locked) unlock("/acr/v1/" + repo_ + "/_manifests/" + manifest.digest, ref);
      long status = 0;
      std::string error;
      try {
        status = client_.deleteManifest(repo_, manifest.digest);
      } catch (const RegistryError& e) {
        status = e.status();
        error = e.what();
      }
      if (judge(status, ref, error)) {
        std::lock_guard lock(mutex_);
        ++counts_.manifests;
      }
    });
  }

  OciClient& client_;
  const PurgeOptions& options_;
  const TagFilter& filter_;
  std::ostream& out_;
  PurgeCounts& counts_;
  Clock::time_point now_;
  std::string repo_;
  std::string prefix_;
  std::string scope_;
  std::mutex mutex_;
  std::map<std::string, int> wouldUntag_;  // dry run: digest -> tags that would be deleted
  std::set<std::string> ignored_;          // children of protected indexes, referrers
};

}  // namespace

bool hasAcrMetadataApi(OciClient& client) {
  return client.request("GET", "/acr/v1/_catalog?n=1", "registry:catalog:*").status == 200;
}

void purgeAcrRegistry(OciClient& client, const PurgeOptions& options, std::ostream& out, PurgeCounts& counts,
                      Clock::time_point now) {
  std::vector<std::string> filters = options.filters;
  if (filters.empty()) filters.push_back(".*:.*");
  const TagFilter filter(filters);
  auto repositories = client.catalog(options.repositoryPageSize);
  std::sort(repositories.begin(), repositories.end());
  for (const auto& repository : repositories) {
    if (!filter.matchesRepository(repository)) continue;
    AcrRepositoryPurge(client, options, filter, out, counts, now, repository).run();
  }
}

}  // namespace hangar::registry
