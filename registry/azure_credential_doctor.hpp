#pragma once

#include <string>
#include <vector>

#include "registry/azure_identity.hpp"
#include "registry/registry_doctor.hpp"

namespace hangar::registry {

/// An Azure identity a registry's credentials come from, as `hangar doctor` checks it: a managed identity
/// (IMDS) or a service principal with a client secret or a certificate (AAD token endpoint). The secret
/// and the key are never printed.
struct AzureCredentialSource {
  enum class Kind { ManagedIdentity, ServicePrincipal };
  Kind kind = Kind::ManagedIdentity;
  ManagedIdentityId identity;   ///< managed identity: system-assigned when empty
  std::string tenantId;         ///< service principal
  std::string clientId;         ///< service principal
  std::string clientSecret;     ///< service principal with a secret; never in a check's text
  std::string certificatePem;   ///< service principal with a certificate: key and certificate, never shown
  std::string certificateFile;  ///< where certificatePem came from, for messages
  std::string unreadable;    ///< why the secret or certificate file could not be read: the token check fails
  AzureEndpoints endpoints;  ///< IMDS and authority host (loopback in tests)
  std::string resource = "https://containerregistry.azure.net";  ///< the audience ACR accepts
};

/// Checks an Azure credential source in order: its endpoint answers HTTP at all (IMDS, or the AAD authority
/// host), then a token for `resource` is obtained (its lifetime is reported, never the token). A failed
/// reachability check skips the token check. Each failure carries the reason and a fix hint.
std::vector<DoctorCheck> diagnoseAzureCredential(const AzureCredentialSource& source,
                                                 TokenCredentialOptions options = {});

}  // namespace hangar::registry
