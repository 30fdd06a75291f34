#pragma once

#include "config/agent_config.hpp"
#include "registry/azure_identity.hpp"

namespace hangar::agent {

/// The Azure endpoints a run uses (Key Vault secrets, managed identities): public Azure, overridden
/// by the environment (HANGAR_AZURE_IMDS_ENDPOINT, HANGAR_AZURE_AUTHORITY_HOST,
/// HANGAR_AZURE_KEYVAULT_ENDPOINT; empty = unset), then by the agent configuration's `azure:` section.
registry::AzureEndpoints azureEndpoints(const config::AzureSettings& settings = {});

}  // namespace hangar::agent
