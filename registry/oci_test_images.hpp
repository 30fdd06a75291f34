#pragma once
// Test-only (header, not in the library): pushes small synthetic images straight through the distribution
// API, so tests get many images with chosen `created` times in milliseconds.

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "registry/http_transport.hpp"
#include "registry/oci_client.hpp"

namespace hangar::registry::testimages {

inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";

/// Uploads `content` as a blob of `repository` (monolithic POST); returns its digest.
inline std::string pushBlob(HttpTransport& http, const std::string& baseUrl, const std::string& repository,
                            const std::string& content) {
  const std::string digest = sha256Digest(content);
  const auto start = http.send({"POST", baseUrl + "/v2/" + repository + "/blobs/uploads/", {}, ""});
  std::string location = start.header("location");
  if (start.status != 202 || location.empty()) {
    throw std::runtime_error("blob upload start in " + repository + ": HTTP " + std::to_string(start.status));
  }
  if (!location.starts_with("http")) location = baseUrl + location;
  location += (location.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + digest;
  const auto response = http.send({"PUT", location, {{"Content-Type", "application/octet-stream"}}, content});
  if (response.status != 201) {
    throw std::runtime_error("blob upload to " + repository + ": HTTP " + std::to_string(response.status) +
                             " " + response.body);
  }
  return digest;
}

/// PUTs a manifest under `reference` (tag or digest); returns its digest.
inline std::string pushManifest(HttpTransport& http, const std::string& baseUrl,
                                const std::string& repository, const std::string& reference,
                                const nlohmann::json& manifest) {
  const std::string body = manifest.dump();
  const auto response = http.send({"PUT",
                                   baseUrl + "/v2/" + repository + "/manifests/" + reference,
                                   {{"Content-Type", manifest.value("mediaType", kOciManifest)}},
                                   body});
  if (response.status != 201) {
    throw std::runtime_error("manifest PUT " + repository + ":" + reference + ": HTTP " +
                             std::to_string(response.status) + " " + response.body);
  }
  return sha256Digest(body);
}

/// Pushes an image whose config says `created` (RFC 3339) and carries `label` (distinct configs give distinct
/// digests); one shared tiny layer. Tags it `tag` (or pushes by digest when `tag` is empty). Returns the
/// digest.
inline std::string pushImage(HttpTransport& http, const std::string& baseUrl, const std::string& repository,
                             const std::string& tag, const std::string& created, const std::string& label,
                             const nlohmann::json& subject = nullptr) {
  const std::string layer = "hangar-test-layer";
  const std::string layerDigest = pushBlob(http, baseUrl, repository, layer);
  nlohmann::json config = {{"architecture", "amd64"},
                           {"os", "linux"},
                           {"config", {{"Labels", {{"hangar.test", label}}}}},
                           {"rootfs", {{"type", "layers"}, {"diff_ids", {layerDigest}}}}};
  if (!created.empty()) config["created"] = created;
  const std::string configBody = config.dump();
  const std::string configDigest = pushBlob(http, baseUrl, repository, configBody);
  nlohmann::json manifest = {{"schemaVersion", 2},
                             {"mediaType", kOciManifest},
                             {"config",
                              {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                               {"digest", configDigest},
                               {"size", configBody.size()}}},
                             {"layers",
                              {{{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                                {"digest", layerDigest},
                                {"size", layer.size()}}}}};
  if (!subject.is_null()) manifest["subject"] = subject;
  const std::string body = manifest.dump();
  return pushManifest(http, baseUrl, repository, tag.empty() ? sha256Digest(body) : tag, manifest);
}

/// Pushes an OCI index of `children` (digests of manifests already in the repository).
inline std::string pushIndex(HttpTransport& http, const std::string& baseUrl, const std::string& repository,
                             const std::string& tag, const std::vector<std::string>& children) {
  nlohmann::json manifests = nlohmann::json::array();
  for (const auto& child : children) {
    manifests.push_back({{"mediaType", kOciManifest},
                         {"digest", child},
                         {"size", 1},
                         {"platform", {{"architecture", "amd64"}, {"os", "linux"}}}});
  }
  const nlohmann::json index = {{"schemaVersion", 2}, {"mediaType", kOciIndex}, {"manifests", manifests}};
  return pushManifest(http, baseUrl, repository, tag.empty() ? sha256Digest(index.dump()) : tag, index);
}

}  // namespace hangar::registry::testimages
