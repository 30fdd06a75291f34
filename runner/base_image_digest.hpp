#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "registry/credential_provider.hpp"
#include "registry/http_transport.hpp"

namespace hangar::runner {

/// `image` (normalised, e.g. docker.io/library/bash:3.0) with the longest matching mirror prefix replaced
/// by its location, as the run's registries.conf rewrites pulls; unchanged when no prefix matches.
/// Throws std::invalid_argument for an unparsable reference.
std::string mirroredImage(const std::string& image, const std::map<std::string, std::string>& mirrors);

/// Base-image digests from the registry that serves the image (§4.5: "a remote registry manifest
/// lookup"): a manifest HEAD with the run's credentials, through the run's mirrors. Only registries the
/// run already talks to are asked (loopback ones, the run's registry, mirror locations), with a short
/// connect timeout and no retries, so an unreachable registry costs little. Thread-safe.
class RegistryDigestLookup {
 public:
  RegistryDigestLookup(std::map<std::string, std::string> mirrors, std::string runRegistry,
                       std::set<std::string> insecureHosts,
                       std::shared_ptr<registry::CredentialProvider> credentials);

  /// The digest the registry serves for `image`, or "" with `why` saying why it was not asked or
  /// could not answer (never a credential).
  std::string digest(const std::string& image, std::string& why);

 private:
  std::map<std::string, std::string> mirrors_;
  std::string runRegistry_;
  std::set<std::string> insecureHosts_;
  std::shared_ptr<registry::CredentialProvider> credentials_;
  std::unique_ptr<registry::HttpTransport> transport_;
};

}  // namespace hangar::runner
