#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "registry/credential_provider.hpp"
#include "registry/http_transport.hpp"
#include "registry/token_authenticator.hpp"

namespace hangar::registry {

/// The Accept header for manifests: OCI index and manifest, Docker list and v2 (no schema1 down-conversion).
inline constexpr const char* kManifestAccept =
    "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.artifact.manifest.v1+json";

/// A registry answer that is not what the call needs: the HTTP status, the first error code of the body
/// ("MANIFEST_UNKNOWN", "DENIED"...) and a message naming the method and path.
class RegistryError : public std::runtime_error {
 public:
  RegistryError(const std::string& what, long status, std::string code)
      : std::runtime_error(what), status_(status), code_(std::move(code)) {}
  long status() const { return status_; }
  const std::string& code() const { return code_; }

 private:
  long status_;
  std::string code_;
};

/// What HEAD on a manifest says: digest, media type (parameters removed) and size.
struct ManifestDescriptor {
  std::string digest;
  std::string mediaType;
  long long size = 0;
};

/// A fetched manifest whose digest was verified: descriptor, raw body and the parsed JSON.
struct Manifest {
  ManifestDescriptor descriptor;
  std::string body;
  nlohmann::json json;

  /// True for an OCI image index or a Docker manifest list.
  bool isIndex() const;
};

/// sha256 of `data` as "sha256:<hex>".
std::string sha256Digest(const std::string& data);

/// An OCI distribution client for one registry: ping, catalog and tag listing (Link / n+last pagination),
/// manifest HEAD/GET with digest verification, blob HEAD/GET, manifest DELETE. Authenticates through a
/// TokenAuthenticator with the scope each call needs. Safe to use from several threads.
class OciClient {
 public:
  /// `registry` is "host[:port]"; loopback hosts and `plainHttp` use http://, others https://; `tls`
  /// forces https:// even for a loopback host (a loopback registry that speaks TLS).
  OciClient(std::string registry, HttpTransport& transport, std::shared_ptr<CredentialProvider> credentials,
            bool plainHttp = false, bool tls = false);

  const std::string& registry() const { return registry_; }
  /// "http(s)://host[:port]".
  const std::string& baseUrl() const { return base_; }

  /// GET /v2/ (authenticating if challenged); throws RegistryError unless 200.
  void ping();
  /// Every repository name (GET /v2/_catalog?n=pageSize, following Link / last until an empty page).
  std::vector<std::string> catalog(int pageSize = 100);
  /// Every tag of `repository`; throws RegistryError (status 404) when the repository is unknown.
  std::vector<std::string> tags(const std::string& repository, int pageSize = 100);
  /// HEAD on a manifest; nullopt on 404.
  std::optional<ManifestDescriptor> headManifest(const std::string& repository, const std::string& reference);
  /// GET on a manifest; verifies sha256(body) against the requested digest and Docker-Content-Digest, and
  /// the body's mediaType against Content-Type. nullopt on 404.
  std::optional<Manifest> getManifest(const std::string& repository, const std::string& reference);
  /// HEAD on a blob: whether it exists.
  bool blobExists(const std::string& repository, const std::string& digest);
  /// GET on a blob (redirects followed), digest verified.
  std::string getBlob(const std::string& repository, const std::string& digest);
  /// DELETE /v2/<repository>/manifests/<digest>; returns the status (202/200 deleted, 404, 405...) and throws
  /// RegistryError for other 4xx/5xx except those.
  long deleteManifest(const std::string& repository, const std::string& digest);
  /// The referrers of `digest` (descriptors with mediaType, digest, size, artifactType, annotations):
  /// GET /v2/<repository>/referrers/<digest>[?artifactType=] following Link; when the registry has no
  /// referrers API (404), the tag-schema fallback: the index tagged `<alg>-<hex>` (none: no referrers).
  /// `artifactType` filters (client-side when the registry did not apply the filter).
  std::vector<nlohmann::json> referrers(const std::string& repository, const std::string& digest,
                                        const std::string& artifactType = "");
  /// Any request (`pathOrUrl` relative to baseUrl, or an absolute URL such as a Link target), authorized
  /// for `scope`; returns whatever the registry answers (e.g. ACR's /acr/v1 metadata API).
  HttpResponse request(const std::string& method, const std::string& pathOrUrl, const std::string& scope,
                       std::vector<std::pair<std::string, std::string>> headers = {}, std::string body = {});

 private:
  HttpResponse call(const std::string& method, const std::string& pathOrUrl, const std::string& scope,
                    std::vector<std::pair<std::string, std::string>> headers = {});
  [[noreturn]] void fail(const std::string& method, const std::string& path, const HttpResponse& response);
  std::vector<std::string> paginate(const std::string& firstPath, const char* key, const std::string& scope,
                                    bool* notFound);

  std::string registry_;
  std::string base_;
  HttpTransport& transport_;
  TokenAuthenticator auth_;
};

}  // namespace hangar::registry
