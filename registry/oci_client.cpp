#include "registry/oci_client.hpp"

#include <openssl/evp.h>

#include <cctype>
#include <cstdio>
#include <set>

#include "registry/image_reference.hpp"
#include "registry/link_header.hpp"

namespace hangar::registry {
namespace {

std::string mediaTypeOf(std::string contentType) {
  contentType = contentType.substr(0, contentType.find(';'));
  while (!contentType.empty() && contentType.back() == ' ') contentType.pop_back();
  return contentType;
}

// More pages than any registry has (a million tags at the usual page size): the registry is lying.
constexpr int kMaxPages = 10'000;

}  // namespace

std::string sha256Digest(const std::string& data) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), hash, &length, EVP_sha256(), nullptr);
  std::string out = "sha256:";
  char hex[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", hash[i]);
    out += hex;
  }
  return out;
}

bool Manifest::isIndex() const {
  return descriptor.mediaType == "application/vnd.oci.image.index.v1+json" ||
         descriptor.mediaType == "application/vnd.docker.distribution.manifest.list.v2+json";
}

OciClient::OciClient(std::string registry, HttpTransport& transport,
                     std::shared_ptr<CredentialProvider> credentials, bool plainHttp, bool tls)
    : registry_(std::move(registry)),
      base_((!tls && (plainHttp || isLoopbackRegistry(registry_)) ? "http://" : "https://") + registry_),
      transport_(transport),
      auth_(transport, std::move(credentials), registry_) {}

HttpResponse OciClient::call(const std::string& method, const std::string& pathOrUrl,
                             const std::string& scope,
                             std::vector<std::pair<std::string, std::string>> headers) {
  const std::string url =
      pathOrUrl.starts_with("http://") || pathOrUrl.starts_with("https://") ? pathOrUrl : base_ + pathOrUrl;
  return auth_.send({method, url, std::move(headers), ""}, scope);
}

std::vector<nlohmann::json> OciClient::referrers(const std::string& repository, const std::string& digest,
                                                 const std::string& artifactType) {
  const std::string scope = "repository:" + repository + ":pull";
  std::vector<nlohmann::json> found;
  bool filtered = false;
  std::string next = "/v2/" + repository + "/referrers/" + digest;
  if (!artifactType.empty()) next += "?artifactType=" + artifactType;
  std::set<std::string> visited;
  const auto collect = [&](const nlohmann::json& index) {
    if (!index.contains("manifests") || !index["manifests"].is_array()) return;
    for (const auto& descriptor : index["manifests"]) {
      if (!descriptor.is_object()) continue;
      if (!artifactType.empty() && !filtered && descriptor.value("artifactType", "") != artifactType)
        continue;
      found.push_back(descriptor);
    }
  };
  while (!next.empty()) {
    if (!visited.insert(next).second || visited.size() > static_cast<size_t>(kMaxPages))
      throw RegistryError("GET " + registry_ + next + ": referrers pagination does not end", 0, "");
    const auto response = call("GET", next, scope, {{"Accept", "application/vnd.oci.image.index.v1+json"}});
    if (response.status == 404 && visited.size() == 1) {
      // No referrers API: the tag schema, "<alg>-<hex>" (alg up to 32 characters, hex up to 64).
      const auto colon = digest.find(':');
      if (colon == std::string::npos) throw RegistryError("referrers: not a digest: " + digest, 400, "");
      std::string tag = digest.substr(0, std::min<size_t>(colon, 32)) + "-" + digest.substr(colon + 1, 64);
      for (auto& c : tag)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') c = '-';
      const auto index = getManifest(repository, tag);
      if (index && index->isIndex()) collect(index->json);
      return found;
    }
    if (response.status != 200) fail("GET", next, response);
    filtered = response.header("oci-filters-applied").find("artifactType") != std::string::npos;
    try {
      collect(nlohmann::json::parse(response.body));
    } catch (const nlohmann::json::exception&) {
      throw RegistryError("GET " + registry_ + next + ": malformed JSON", response.status, "");
    }
    next = nextPageLink(response.header("link"));
  }
  return found;
}

HttpResponse OciClient::request(const std::string& method, const std::string& pathOrUrl,
                                const std::string& scope,
                                std::vector<std::pair<std::string, std::string>> headers, std::string body) {
  const std::string url =
      pathOrUrl.starts_with("http://") || pathOrUrl.starts_with("https://") ? pathOrUrl : base_ + pathOrUrl;
  return auth_.send({method, url, std::move(headers), std::move(body)}, scope);
}

void OciClient::fail(const std::string& method, const std::string& path, const HttpResponse& response) {
  std::string code;
  std::string message;
  try {
    const auto body = nlohmann::json::parse(response.body);
    if (body.contains("errors") && body["errors"].is_array() && !body["errors"].empty()) {
      code = body["errors"][0].value("code", "");
      message = body["errors"][0].value("message", "");
    }
  } catch (const nlohmann::json::exception&) {
  }
  std::string what = method + " " + registry_ + path + ": HTTP " + std::to_string(response.status);
  if (!code.empty()) what += " " + code;
  if (!message.empty()) what += ": " + message;
  if (response.status == 403 && message.find("is not allowed access") != std::string::npos) {
    what +=
        " (the registry's firewall rejects this machine's address: add an IP rule or use a private endpoint)";
  }
  throw RegistryError(what, response.status, code);
}

void OciClient::ping() {
  const auto response = call("GET", "/v2/", "");
  if (response.status != 200) fail("GET", "/v2/", response);
}

std::vector<std::string> OciClient::paginate(const std::string& firstPath, const char* key,
                                             const std::string& scope, bool* notFound) {
  std::vector<std::string> items;
  std::string next = firstPath;
  std::set<std::string> visited;  // a registry whose Link goes round in circles must not loop forever
  for (int page = 0; !next.empty(); ++page) {
    if (!visited.insert(next).second)
      throw RegistryError(
          "GET " + registry_ + firstPath + ": pagination does not end (Link repeats " + next + ")", 0, "");
    const auto response = call("GET", next, scope);
    if (response.status == 404 && notFound) {
      *notFound = true;
      return items;
    }
    if (response.status != 200) fail("GET", next, response);
    nlohmann::json body;
    try {
      body = nlohmann::json::parse(response.body);
    } catch (const nlohmann::json::exception&) {
      throw RegistryError("GET " + registry_ + next + ": malformed JSON", response.status, "");
    }
    const auto& list = body[key];
    if (!list.is_array() || list.empty()) break;
    for (const auto& item : list) {
      if (!item.is_string())
        throw RegistryError("GET " + registry_ + next + ": '" + key + "' holds a " + item.type_name(),
                            response.status, "");
      items.push_back(item.get<std::string>());
    }
    next = nextPageLink(response.header("link"));
    if (page >= kMaxPages)
      throw RegistryError("GET " + registry_ + firstPath + ": pagination does not end", 0, "");
  }
  return items;
}

std::vector<std::string> OciClient::catalog(int pageSize) {
  return paginate("/v2/_catalog?n=" + std::to_string(pageSize), "repositories", "registry:catalog:*",
                  nullptr);
}

std::vector<std::string> OciClient::tags(const std::string& repository, int pageSize) {
  bool notFound = false;
  const std::string path = "/v2/" + repository + "/tags/list?n=" + std::to_string(pageSize);
  auto items = paginate(path, "tags", "repository:" + repository + ":pull", &notFound);
  if (notFound)
    throw RegistryError("GET " + registry_ + path + ": HTTP 404 NAME_UNKNOWN", 404, "NAME_UNKNOWN");
  return items;
}

std::optional<ManifestDescriptor> OciClient::headManifest(const std::string& repository,
                                                          const std::string& reference) {
  const std::string path = "/v2/" + repository + "/manifests/" + reference;
  const auto response =
      call("HEAD", path, "repository:" + repository + ":pull", {{"Accept", kManifestAccept}});
  if (response.status == 404) return std::nullopt;
  if (response.status != 200) fail("HEAD", path, response);
  ManifestDescriptor descriptor;
  descriptor.digest = response.header("docker-content-digest");
  descriptor.mediaType = mediaTypeOf(response.header("content-type"));
  const auto length = response.header("content-length");
  try {
    descriptor.size = length.empty() ? 0 : std::stoll(length);
  } catch (const std::exception&) {
    throw RegistryError("HEAD " + registry_ + path + ": malformed Content-Length", response.status, "");
  }
  if (descriptor.digest.empty()) {
    const auto manifest = getManifest(repository, reference);  // old registries: hash the body
    if (!manifest) return std::nullopt;
    return manifest->descriptor;
  }
  return descriptor;
}

std::optional<Manifest> OciClient::getManifest(const std::string& repository, const std::string& reference) {
  const std::string path = "/v2/" + repository + "/manifests/" + reference;
  const auto response =
      call("GET", path, "repository:" + repository + ":pull", {{"Accept", kManifestAccept}});
  if (response.status == 404) return std::nullopt;
  if (response.status != 200) fail("GET", path, response);
  Manifest manifest;
  manifest.body = response.body;
  manifest.descriptor.digest = sha256Digest(response.body);
  manifest.descriptor.size = static_cast<long long>(response.body.size());
  manifest.descriptor.mediaType = mediaTypeOf(response.header("content-type"));
  const auto header = response.header("docker-content-digest");
  if (reference.starts_with("sha256:") && reference != manifest.descriptor.digest) {
    throw RegistryError("GET " + registry_ + path + ": body digest " + manifest.descriptor.digest +
                            " does not match the requested digest",
                        200, "DIGEST_INVALID");
  }
  if (header.starts_with("sha256:") && header != manifest.descriptor.digest) {
    throw RegistryError("GET " + registry_ + path + ": body digest " + manifest.descriptor.digest +
                            " does not match Docker-Content-Digest " + header,
                        200, "DIGEST_INVALID");
  }
  try {
    manifest.json = nlohmann::json::parse(response.body);
  } catch (const nlohmann::json::exception&) {
    throw RegistryError("GET " + registry_ + path + ": manifest is not JSON", 200, "MANIFEST_INVALID");
  }
  const std::string declared = manifest.json.value("mediaType", "");
  if (!declared.empty()) {
    if (!manifest.descriptor.mediaType.empty() && declared != manifest.descriptor.mediaType) {
      throw RegistryError("GET " + registry_ + path + ": mediaType " + declared +
                              " differs from Content-Type " + manifest.descriptor.mediaType,
                          200, "MANIFEST_INVALID");
    }
    manifest.descriptor.mediaType = declared;
  }
  return manifest;
}

bool OciClient::blobExists(const std::string& repository, const std::string& digest) {
  const std::string path = "/v2/" + repository + "/blobs/" + digest;
  const auto response = call("HEAD", path, "repository:" + repository + ":pull");
  if (response.status == 404) return false;
  if (response.status != 200) fail("HEAD", path, response);
  return true;
}

std::string OciClient::getBlob(const std::string& repository, const std::string& digest) {
  const std::string path = "/v2/" + repository + "/blobs/" + digest;
  const auto response = call("GET", path, "repository:" + repository + ":pull");
  if (response.status != 200) fail("GET", path, response);
  if (digest.starts_with("sha256:") && sha256Digest(response.body) != digest) {
    throw RegistryError("GET " + registry_ + path + ": blob content does not match its digest", 200,
                        "DIGEST_INVALID");
  }
  return response.body;
}

long OciClient::deleteManifest(const std::string& repository, const std::string& digest) {
  const std::string path = "/v2/" + repository + "/manifests/" + digest;
  const auto response = call("DELETE", path, "repository:" + repository + ":delete");
  if (response.status == 200 || response.status == 202 || response.status == 404 || response.status == 405) {
    return response.status;
  }
  fail("DELETE", path, response);
}

}  // namespace hangar::registry
