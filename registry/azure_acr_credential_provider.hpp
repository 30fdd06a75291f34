#pragma once

#include <memory>
#include <optional>
#include <string>

#include "registry/azure_container_registry.hpp"
#include "registry/credential_provider.hpp"

namespace hangar::registry {

/// Plugs the ACR token exchange into the OCI client: for `host` (the registry's "host[:port]", compared
/// after normalizeRegistryHost) it answers the exchanger's current credential (null-GUID username, the
/// ACR refresh token as identity token, renewed near expiry); other hosts get nullopt. Thread-safe.
class AcrCredentialProvider : public CredentialProvider {
 public:
  AcrCredentialProvider(std::shared_ptr<AcrTokenExchanger> exchanger, std::string host);
  std::optional<Credential> credentialFor(const std::string& host) override;

 private:
  std::shared_ptr<AcrTokenExchanger> exchanger_;
  std::string host_;
};

}  // namespace hangar::registry
