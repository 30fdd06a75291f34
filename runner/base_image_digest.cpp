#include "runner/base_image_digest.hpp"

#include <stdexcept>

#include "registry/image_reference.hpp"
#include "registry/oci_client.hpp"

namespace hangar::runner {

std::string mirroredImage(const std::string& image, const std::map<std::string, std::string>& mirrors) {
  const std::string name = registry::ImageReference::parse(image).withDefaultTag().str();
  const std::map<std::string, std::string>::value_type* best = nullptr;
  for (const auto& entry : mirrors) {
    const std::string& prefix = entry.first;
    const bool matches =
        name.starts_with(prefix) && (name.size() == prefix.size() || name[prefix.size()] == '/' ||
                                     name[prefix.size()] == ':' || name[prefix.size()] == '@');
    if (matches && (!best || prefix.size() > best->first.size())) best = &entry;
  }
  return best ? best->second + name.substr(best->first.size()) : name;
}

RegistryDigestLookup::RegistryDigestLookup(std::map<std::string, std::string> mirrors,
                                           std::string runRegistry, std::set<std::string> insecureHosts,
                                           std::shared_ptr<registry::CredentialProvider> credentials)
    : mirrors_(std::move(mirrors)),
      runRegistry_(std::move(runRegistry)),
      insecureHosts_(std::move(insecureHosts)),
      credentials_(std::move(credentials)) {
  registry::HttpOptions options;
  options.connectTimeout = std::chrono::seconds(3);
  options.requestTimeout = std::chrono::seconds(20);
  options.maxRetries = 0;
  options.insecureHosts = insecureHosts_;
  transport_ = std::make_unique<registry::CurlTransport>(options);
}

std::string RegistryDigestLookup::digest(const std::string& image, std::string& why) {
  try {
    const std::string mirrored = mirroredImage(image, mirrors_);
    const auto reference = registry::ImageReference::parse(mirrored).withDefaultTag();
    bool known = registry::isLoopbackRegistry(reference.registry) || reference.registry == runRegistry_;
    for (const auto& [prefix, location] : mirrors_)
      known = known || location.substr(0, location.find('/')) == reference.registry;
    if (!known) {
      why = reference.registry + " is not a registry this run uses";
      return "";
    }
    if (!reference.digest.empty()) return reference.digest;
    registry::OciClient client(reference.registry, *transport_, credentials_,
                               insecureHosts_.contains(reference.registry));
    const auto descriptor = client.headManifest(reference.repository, reference.tag);
    if (!descriptor) {
      why = mirrored + " is not in its registry";
      return "";
    }
    return descriptor->digest;
  } catch (const std::exception& e) {
    why = e.what();
    return "";
  }
}

}  // namespace hangar::runner
