#include "registry/azure_acr_credential_provider.hpp"

#include <stdexcept>

#include "registry/docker_config.hpp"

namespace hangar::registry {

AcrCredentialProvider::AcrCredentialProvider(std::shared_ptr<AcrTokenExchanger> exchanger, std::string host)
    : exchanger_(std::move(exchanger)), host_(normalizeRegistryHost(host)) {
  if (!exchanger_) throw std::invalid_argument("AcrCredentialProvider needs a token exchanger");
}

std::optional<Credential> AcrCredentialProvider::credentialFor(const std::string& host) {
  if (normalizeRegistryHost(host) != host_) return std::nullopt;
  return exchanger_->credential();
}

}  // namespace hangar::registry
