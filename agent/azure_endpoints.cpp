#include "agent/azure_endpoints.hpp"

#include <cstdlib>

namespace hangar::agent {
namespace {

void override(std::string& field, const char* variable, const std::string& configured) {
  const char* fromEnvironment = std::getenv(variable);
  if (fromEnvironment && *fromEnvironment) field = fromEnvironment;
  if (!configured.empty()) field = configured;
}

}  // namespace

registry::AzureEndpoints azureEndpoints(const config::AzureSettings& settings) {
  registry::AzureEndpoints endpoints;
  override(endpoints.imdsUrl, "HANGAR_AZURE_IMDS_ENDPOINT", settings.imdsEndpoint);
  override(endpoints.authorityHost, "HANGAR_AZURE_AUTHORITY_HOST", settings.authorityHost);
  override(endpoints.keyVaultUrlRewrite, "HANGAR_AZURE_KEYVAULT_ENDPOINT", settings.keyVaultEndpoint);
  return endpoints;
}

}  // namespace hangar::agent
