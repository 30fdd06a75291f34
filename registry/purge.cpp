#include "registry/purge.hpp"

#include <algorithm>
#include <atomic>
#include <ctime>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "registry/parallel_for.hpp"
#include "registry/tag_filter.hpp"

namespace hangar::registry {
namespace {

using Clock = std::chrono::system_clock;

// What purge needs to know about one manifest.
struct ManifestFacts {
  std::string mediaType;
  bool inspected = false;  // body read (false: known from a HEAD only)
  std::optional<Clock::time_point> created;
  bool ageResolved = false;           // `created` is final (annotation, config, or newest child)
  std::string configDigest;           // image manifests: the config that may hold `created`
  std::vector<std::string> children;  // index entries
  bool referrer = false;              // has a subject
};

bool isIndexType(const std::string& mediaType) {
  return mediaType == "application/vnd.oci.image.index.v1+json" ||
         mediaType == "application/vnd.docker.distribution.manifest.list.v2+json";
}

ManifestFacts factsOf(const Manifest& manifest) {
  ManifestFacts fact;
  fact.mediaType = manifest.descriptor.mediaType;
  fact.inspected = true;
  const auto& json = manifest.json;
  fact.referrer = json.contains("subject") && json["subject"].is_object();
  if (json.contains("annotations") && json["annotations"].is_object()) {
    const auto annotation = json["annotations"].value("org.opencontainers.image.created", "");
    if (!annotation.empty()) fact.created = parseRfc3339(annotation);
  }
  if (manifest.isIndex()) {
    for (const auto& entry : json.value("manifests", nlohmann::json::array())) {
      if (entry.contains("digest")) fact.children.push_back(entry["digest"].get<std::string>());
    }
  } else if (json.contains("config") && json["config"].is_object() && json["config"].contains("digest") &&
             json["config"]["digest"].is_string()) {
    fact.configDigest = json["config"]["digest"].get<std::string>();
  }
  fact.ageResolved = fact.created.has_value() || (fact.configDigest.empty() && fact.children.empty());
  return fact;
}

// The `created` time of image configs by config digest, shared by every repository of one purge: a
// config blob is read once however many tags (or repositories) use it.
struct PurgeConfigCache {
  std::mutex mutex;
  std::map<std::string, std::optional<Clock::time_point>> created;
};

class RepositoryPurge {
 public:
  RepositoryPurge(OciClient& client, const PurgeOptions& options, const TagFilter& filter, std::ostream& out,
                  PurgeCounts& counts, Clock::time_point cutoff, PurgeConfigCache& configs,
                  std::string repository)
      : client_(client),
        options_(options),
        filter_(filter),
        out_(out),
        counts_(counts),
        cutoff_(cutoff),
        configs_(configs),
        repo_(std::move(repository)),
        prefix_(client.registry() + "/" + repo_) {}

  void run() {
    std::vector<std::string> tags;
    try {
      tags = client_.tags(repo_, options_.repositoryPageSize);
    } catch (const RegistryError& e) {
      if (e.status() != 404) throw;
      print(repo_ + " repository not found");
      return;
    }
    if (options_.untaggedOnly) {
      // Every tag survives, and a generic registry cannot list untagged manifests: nothing to read or delete.
      print(std::string(options_.dryRun ? "Would delete" : "Deleting") +
            " manifests for repository: " + repo_);
      return;
    }
    resolveTags(tags);
    purgeTags();
    if (options_.untagged) purgeDangling();
  }

 private:
  void print(const std::string& line) {
    std::lock_guard lock(outMutex_);
    out_ << line << "\n";
  }

  // Whether a tag's age decides anything: with --ago 0 (or negative) and no --keep every matching tag is
  // eligible (as on ACR, where lastUpdateTime is never in the future), so no config is read.
  bool tagAgeMatters() const { return options_.keep > 0 || (options_.ago && options_.ago->count() > 0); }

  // One request per tag: GET for tags the filter matches (their config digest may be needed), HEAD for the
  // others (only the digest matters, and the children when it is an index).
  void resolveTags(const std::vector<std::string>& tags) {
    std::vector<std::optional<std::pair<std::string, ManifestFacts>>> resolved(tags.size());
    parallelFor(tags.size(), options_.concurrency, [&](size_t i) {
      if (filter_.matchesTag(repo_, tags[i])) {
        if (const auto manifest = client_.getManifest(repo_, tags[i]))
          resolved[i].emplace(manifest->descriptor.digest, factsOf(*manifest));
        return;
      }
      const auto head = client_.headManifest(repo_, tags[i]);
      if (!head) return;
      if (isIndexType(head->mediaType) || head->mediaType.empty()) {
        if (const auto manifest = client_.getManifest(repo_, head->digest))
          resolved[i].emplace(head->digest, factsOf(*manifest));
        return;
      }
      ManifestFacts fact;
      fact.mediaType = head->mediaType;
      resolved[i].emplace(head->digest, std::move(fact));
    });
    for (size_t i = 0; i < tags.size(); ++i) {
      if (!resolved[i]) continue;
      auto& [digest, fact] = *resolved[i];
      tagDigest_[tags[i]] = digest;
      const auto it = facts_.find(digest);
      if (it == facts_.end() || (!it->second.inspected && fact.inspected)) facts_[digest] = std::move(fact);
    }
    std::vector<std::string> children;
    for (const auto& [digest, fact] : facts_) {
      for (const auto& child : fact.children) children.push_back(child);
    }
    loadFacts(std::move(children));
  }

  // Fetches the manifests (not their configs) not yet known, children of indexes included.
  void loadFacts(std::vector<std::string> digests) {
    while (!digests.empty()) {
      std::sort(digests.begin(), digests.end());
      digests.erase(std::unique(digests.begin(), digests.end()), digests.end());
      std::erase_if(digests, [&](const std::string& d) { return facts_.contains(d); });
      std::vector<std::optional<ManifestFacts>> loaded(digests.size());
      parallelFor(digests.size(), options_.concurrency, [&](size_t i) {
        if (const auto manifest = client_.getManifest(repo_, digests[i])) loaded[i] = factsOf(*manifest);
      });
      std::vector<std::string> next;
      for (size_t i = 0; i < digests.size(); ++i) {
        if (!loaded[i]) continue;
        for (const auto& child : loaded[i]->children) next.push_back(child);
        facts_[digests[i]] = std::move(*loaded[i]);
      }
      digests = std::move(next);
    }
  }

  // Makes `created` final for `digests`: reads each config blob not yet in the cache (concurrently, once per
  // config digest); an index without its own created time is as old as its newest child.
  void resolveAges(const std::vector<std::string>& digests) {
    std::set<std::string> wanted;
    std::vector<std::string> queue(digests.begin(), digests.end());
    std::set<std::string> seen;
    while (!queue.empty()) {
      const auto digest = queue.back();
      queue.pop_back();
      const auto it = facts_.find(digest);
      if (!seen.insert(digest).second || it == facts_.end() || it->second.ageResolved) continue;
      if (!it->second.configDigest.empty()) wanted.insert(it->second.configDigest);
      for (const auto& child : it->second.children) queue.push_back(child);
    }
    std::vector<std::string> missing;
    {
      std::lock_guard lock(configs_.mutex);
      for (const auto& config : wanted) {
        if (!configs_.created.contains(config)) missing.push_back(config);
      }
    }
    parallelFor(missing.size(), options_.concurrency, [&](size_t i) {
      std::optional<Clock::time_point> created;
      try {
        const auto config = nlohmann::json::parse(client_.getBlob(repo_, missing[i]));
        if (config.is_object() && config.contains("created") && config["created"].is_string())
          created = parseRfc3339(config["created"].get<std::string>());
      } catch (const nlohmann::json::exception&) {
        // Not a JSON config (an artifact): no creation time, so it is protected by age.
      }
      std::lock_guard lock(configs_.mutex);
      configs_.created[missing[i]] = created;
    });
    std::set<std::string> visiting;
    for (const auto& digest : seen) resolveAge(digest, visiting);
  }

  std::optional<Clock::time_point> resolveAge(const std::string& digest, std::set<std::string>& visiting) {
    const auto it = facts_.find(digest);
    if (it == facts_.end()) return std::nullopt;
    auto& fact = it->second;
    if (fact.ageResolved || !visiting.insert(digest).second)
      return fact.created;  // a cycle: a lying registry
    if (!fact.configDigest.empty()) {
      std::lock_guard lock(configs_.mutex);
      const auto config = configs_.created.find(fact.configDigest);
      if (config != configs_.created.end()) fact.created = config->second;
    }
    for (const auto& child : fact.children) {
      const auto created = resolveAge(child, visiting);
      if (created && (!fact.created || *created > *fact.created)) fact.created = created;
    }
    fact.ageResolved = true;
    return fact.created;
  }

  bool older(const std::string& digest) const {
    const auto it = facts_.find(digest);
    return it != facts_.end() && it->second.created && *it->second.created < cutoff_;
  }

  bool isEligible(const std::string& tag) const {
    if (!filter_.matchesTag(repo_, tag)) return false;
    return !tagAgeMatters() || older(tagDigest_.at(tag));
  }

  // Digests referenced (recursively) by the indexes in `roots`.
  std::set<std::string> childrenOf(const std::set<std::string>& roots) const {
    std::set<std::string> seen;
    std::vector<std::string> queue(roots.begin(), roots.end());
    while (!queue.empty()) {
      const auto digest = queue.back();
      queue.pop_back();
      const auto it = facts_.find(digest);
      if (it == facts_.end()) continue;
      for (const auto& child : it->second.children) {
        if (seen.insert(child).second) queue.push_back(child);
      }
    }
    return seen;
  }

  std::string deletionOutcome(const std::string& digest, const std::string& ref, int* counted) {
    long status = 0;
    try {
      status = client_.deleteManifest(repo_, digest);
    } catch (const std::exception& e) {
      print("Failed to delete " + ref + ", error: " + e.what());
      throw;
    }
    if (status == 405) {
      print("Skipped " + ref + ", operation not allowed, HTTP status: 405");
      *counted = 0;
      return "skipped";
    }
    if (status == 404) {
      print("Skipped " + ref + ", HTTP status: 404");
      return "gone";
    }
    return "deleted";
  }

  void purgeTags() {
    print(std::string(options_.dryRun ? "Would delete" : "Deleting") + " tags for repository: " + repo_);
    if (tagAgeMatters()) {
      std::vector<std::string> matching;
      for (const auto& [tag, digest] : tagDigest_) {
        if (filter_.matchesTag(repo_, tag)) matching.push_back(digest);
      }
      resolveAges(matching);
    }
    std::vector<std::string> eligible;
    for (const auto& [tag, digest] : tagDigest_) {
      if (isEligible(tag)) eligible.push_back(tag);
    }
    // Most recent first (what --keep spares); by name when ages were not needed.
    std::sort(eligible.begin(), eligible.end(), [&](const std::string& a, const std::string& b) {
      const auto& ca = facts_.at(tagDigest_.at(a)).created;
      const auto& cb = facts_.at(tagDigest_.at(b)).created;
      if (ca && cb && *ca != *cb) return *ca > *cb;
      if (ca.has_value() != cb.has_value()) return ca.has_value();
      return a < b;
    });
    const size_t keep = std::min(eligible.size(), static_cast<size_t>(std::max(options_.keep, 0)));
    const std::set<std::string> doomed(eligible.begin() + static_cast<long>(keep), eligible.end());
    // Manifests that keep at least one tag, and everything the surviving indexes reference.
    std::set<std::string> surviving;
    for (const auto& [tag, digest] : tagDigest_) {
      if (!doomed.contains(tag)) surviving.insert(digest);
    }
    std::set<std::string> referenced = childrenOf(surviving);
    referenced.insert(surviving.begin(), surviving.end());
    std::vector<std::string> order;  // digests to delete, in the order of their newest doomed tag
    std::map<std::string, std::vector<std::string>> tagsOf;
    for (const auto& tag : eligible) {
      if (!doomed.contains(tag)) continue;
      const auto& digest = tagDigest_.at(tag);
      if (referenced.contains(digest)) {
        print("Skipped " + prefix_ + ":" + tag + ", its manifest " + digest +
              " is still referenced by a kept tag or index");
        continue;
      }
      if (!tagsOf.contains(digest)) order.push_back(digest);
      tagsOf[digest].push_back(tag);
    }
    for (const auto& digest : order) deletedIndexes_.insert(digest);
    if (options_.dryRun) {
      for (const auto& digest : order) {
        for (const auto& tag : tagsOf[digest]) print("Would delete: " + prefix_ + ":" + tag);
        counts_.tags += static_cast<int>(tagsOf[digest].size());
      }
      survivors_ = referenced;
      return;
    }
    std::mutex countMutex;
    parallelFor(order.size(), options_.concurrency, [&](size_t i) {
      const auto& digest = order[i];
      const auto& tags = tagsOf[digest];
      int counted = static_cast<int>(tags.size());
      const std::string outcome = deletionOutcome(digest, prefix_ + ":" + tags.front(), &counted);
      if (outcome == "deleted") {
        for (const auto& tag : tags) print("Deleted " + prefix_ + ":" + tag);
      }
      std::lock_guard lock(countMutex);
      counts_.tags += counted;
    });
    survivors_ = referenced;
  }

  void purgeDangling() {
    print(std::string(options_.dryRun ? "Would delete" : "Deleting") + " manifests for repository: " + repo_);
    const auto dangling = childrenOf(deletedIndexes_);
    std::vector<std::string> possible;
    for (const auto& digest : dangling) {
      if (!survivors_.contains(digest) && !deletedIndexes_.contains(digest)) possible.push_back(digest);
    }
    resolveAges(possible);
    std::vector<std::string> candidates;
    for (const auto& digest : dangling) {
      if (survivors_.contains(digest) || deletedIndexes_.contains(digest)) continue;
      const auto it = facts_.find(digest);
      if (it == facts_.end()) continue;   // already gone
      if (it->second.referrer) continue;  // referrers go with their subject
      if (it->second.mediaType.empty()) {
        print("Manifest " + digest + " has no media type, skipping deletion");
        continue;
      }
      if (!it->second.created) {
        print("Protecting manifest " + digest + " because the last update time is unavailable");
        continue;
      }
      if (*it->second.created < cutoff_) candidates.push_back(digest);
    }
    if (candidates.size() <= static_cast<size_t>(std::max(options_.keep, 0))) return;
    std::sort(candidates.begin(), candidates.end(), [&](const std::string& a, const std::string& b) {
      const auto ca = *facts_.at(a).created;
      const auto cb = *facts_.at(b).created;
      return ca != cb ? ca > cb : a < b;
    });
    candidates.erase(candidates.begin(), candidates.begin() + options_.keep);
    if (options_.dryRun) {
      for (const auto& digest : candidates) print("Would delete: " + prefix_ + "@" + digest);
      counts_.manifests += static_cast<int>(candidates.size());
      return;
    }
    std::mutex countMutex;
    parallelFor(candidates.size(), options_.concurrency, [&](size_t i) {
      int counted = 1;
      const std::string ref = prefix_ + "@" + candidates[i];
      if (deletionOutcome(candidates[i], ref, &counted) == "deleted") print("Deleted " + ref);
      std::lock_guard lock(countMutex);
      counts_.manifests += counted;
    });
  }

  OciClient& client_;
  const PurgeOptions& options_;
  const TagFilter& filter_;
  std::ostream& out_;
  PurgeCounts& counts_;
  Clock::time_point cutoff_;
  PurgeConfigCache& configs_;
  std::string repo_;
  std::string prefix_;
  std::mutex outMutex_;
  std::map<std::string, std::string> tagDigest_;
  std::map<std::string, ManifestFacts> facts_;
  std::set<std::string> deletedIndexes_;  // manifests whose tags this run deletes
  std::set<std::string> survivors_;       // manifests still tagged or referenced by a kept index
};

}  // namespace

std::optional<Clock::time_point> parseRfc3339(const std::string& text) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return std::nullopt;
  // Beyond what the clock holds (before 1678 or after 2262 with nanoseconds): never "older" by wrap-around.
  const std::time_t seconds = timegm(&tm);
  constexpr auto limit = std::chrono::duration_cast<std::chrono::seconds>(Clock::duration::max()).count() - 1;
  if (seconds >= limit) return Clock::time_point::max();
  if (seconds <= -limit) return Clock::time_point::min();
  auto when = Clock::from_time_t(seconds);
  std::string tail(rest);
  if (!tail.empty() && tail[0] == '.') {
    size_t i = 1;
    std::string fraction;
    while (i < tail.size() && std::isdigit(static_cast<unsigned char>(tail[i]))) fraction += tail[i++];
    fraction = (fraction + "000000000").substr(0, 9);
    when += std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(std::stoll(fraction)));
    tail = tail.substr(i);
  }
  if (tail == "Z" || tail == "z") return when;
  if (tail.size() == 6 && (tail[0] == '+' || tail[0] == '-') && tail[3] == ':') {
    const int minutes = std::stoi(tail.substr(1, 2)) * 60 + std::stoi(tail.substr(4, 2));
    return tail[0] == '+' ? when - std::chrono::minutes(minutes) : when + std::chrono::minutes(minutes);
  }
  return std::nullopt;
}

void purgeRegistry(OciClient& client, const PurgeOptions& options, std::ostream& out, PurgeCounts& counts,
                   Clock::time_point now) {
  std::vector<std::string> filters = options.filters;
  if (filters.empty()) filters.push_back(".*:.*");  // --untagged-only without --filter: every repository
  const TagFilter filter(filters);
  const auto cutoff = options.ago ? now - std::chrono::duration_cast<Clock::duration>(*options.ago) : now;
  auto repositories = client.catalog(options.repositoryPageSize);
  std::sort(repositories.begin(), repositories.end());
  PurgeConfigCache configs;
  for (const auto& repository : repositories) {
    if (!filter.matchesRepository(repository)) continue;
    RepositoryPurge(client, options, filter, out, counts, cutoff, configs, repository).run();
  }
}

}  // namespace hangar::registry
