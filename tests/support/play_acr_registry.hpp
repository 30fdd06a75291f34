#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace hangar::test {

class LoopbackServer;

/// One request as the play ACR sees it; transport-neutral, so any play server can hand requests to it.
struct PlayAcrRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
  std::string body;
};

/// The play ACR's answer to one request.
struct PlayAcrResponse {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;
};

/// Plays ACR's repository API (registry-and-purge.md §1-2) over an in-memory set of repositories:
/// GET /v2/_catalog and /acr/v1/_catalog; GET /acr/v1/<repo>/_tags (newest lastUpdateTime first, n + last,
/// Link), DELETE and PATCH /acr/v1/<repo>/_tags/<tag>; GET /acr/v1/<repo>/_manifests (n + last by digest),
/// PATCH /acr/v1/<repo>/_manifests/<digest>; GET/HEAD/DELETE /v2/<repo>/manifests/<digest>. Locked items
/// refuse deletion with 405. It checks no credentials itself: serve it anonymously on a LoopbackServer
/// (serveAnonymously) or behind ACR's bearer tokens on an AzurePlayServer (serveAcrRegistry). Thread-safe.
class PlayAcrRegistry {
 public:
  using Clock = std::chrono::system_clock;
  static constexpr const char* kImage = "application/vnd.oci.image.manifest.v1+json";
  static constexpr const char* kIndex = "application/vnd.oci.image.index.v1+json";
  static constexpr const char* kDockerV2 = "application/vnd.docker.distribution.manifest.v2+json";

  /// True for the paths it answers: /acr/v1/... and /v2/... except the /v2/ ping itself.
  static bool serves(const std::string& path);
  /// The scope ACR demands for a request ("" when none): "registry:catalog:*" for the catalogs,
  /// "repository:<r>:pull" to read a manifest, "repository:<r>:delete" to delete a tag or manifest,
  /// "repository:<r>:metadata_read" / "metadata_write" for /acr/v1 listings / PATCH.
  static std::string requiredScope(const std::string& method, const std::string& path);
  /// Whether an access token issued for `granted` (space-separated "type:name:action[,action]") allows
  /// `needed` ("type:name:action"); a name or action "*" allows any, as ACR's `repository:*:*`.
  static bool scopeGrants(const std::string& granted, const std::string& needed);
  /// Answers one request (404 with ACR's NAME_UNKNOWN body for anything unknown) and records it.
  PlayAcrResponse handle(const PlayAcrRequest& request);
  /// Registers handle() for its paths on `server`, answering everyone; call before server.start().
  void serveAnonymously(LoopbackServer& server);

  /// Adds a manifest (an image, or an index of `children`, optionally with a `subject`) updated at
  /// `updated`; `mediaType` "" stores one without a media type. Returns its digest.
  std::string manifest(const std::string& repo, Clock::time_point updated,
                       const std::string& mediaType = kImage, const std::vector<std::string>& children = {},
                       const std::string& subject = "");
  /// Points tag `name` of `repo` at `digest`.
  void tag(const std::string& repo, const std::string& name, const std::string& digest,
           Clock::time_point updated, bool deleteEnabled = true);
  /// Removes a manifest's lastUpdateTime (as a registry that lost it).
  void clearUpdateTime(const std::string& repo, const std::string& digest);
  /// The tag names of `repo`, sorted.
  std::vector<std::string> tagNames(const std::string& repo);
  /// Whether `repo` still has the manifest `digest`.
  bool has(const std::string& repo, const std::string& digest);
  /// How many requests handled so far start with `prefix` ("METHOD /path...").
  int count(const std::string& prefix);
  /// Every request handled so far, as "METHOD /path".
  std::vector<std::string> calls();

 private:
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
  PlayAcrResponse listTags(const std::string& repo, const PlayAcrRequest& request);
  PlayAcrResponse listManifests(const std::string& repo, const PlayAcrRequest& request);
  PlayAcrResponse catalog() const;

  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, Tag>> tags_;            // repo -> tag -> tag
  std::map<std::string, std::map<std::string, Manifest>> manifests_;  // repo -> digest -> manifest
  std::vector<std::string> calls_;                                    // "METHOD path"
  int counter_ = 0;
};

}  // namespace hangar::test
