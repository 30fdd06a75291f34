#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/run_options.hpp"
#include "config/agent_config.hpp"
#include "registry/azure_identity.hpp"
#include "registry/credential.hpp"
#include "registry/credential_provider.hpp"
#include "runner/task_run.hpp"

namespace hangar::agent {

/// The credentials agent.yaml's `registries:` give their hosts for one run, the values to mask (every
/// password and token in them) and when they must be renewed (runner::RegistryLogins).
using runner::RegistryLogins;

/// Resolves each `registries:` entry with an `auth:` now: username + password (passwordFile: owner-only,
/// one trailing newline dropped as `docker login --password-stdin` does; or passwordEnv); for a managed
/// identity or a service principal (client secret, or a certificate signing a client assertion), ACR's
/// token exchange (an AAD token from IMDS or from `azure.authorityHost`, traded at
/// https://HOST/oauth2/exchange, plain http for a loopback or `insecure` host) gives a refresh token, stored
/// as `docker login` stores an ACR AAD login (username 00000000-0000-0000-0000-000000000000, identity
/// token). `expiry` is the earliest refresh token's JWT `exp` (none for passwords alone). Throws
/// std::runtime_error naming the entry's host and the reason, never a secret or token.
RegistryLogins resolveRegistryLogins(const std::vector<config::RegistrySettings>& registries,
                                     const registry::AzureEndpoints& azure);

/// The login of one `registries:` entry with an `auth:` for a client that may run for hours (`hangar purge`):
/// a password as resolveRegistryLogins reads it; an Azure login through its own ACR token exchange, whose
/// refresh token is exchanged again before it expires (acr purge fails after 3 hours instead). Logs in at
/// once: throws as resolveRegistryLogins.
std::shared_ptr<registry::CredentialProvider> registryLoginProvider(const config::RegistrySettings& entry,
                                                                    const registry::AzureEndpoints& azure);

/// Gives `request` the logins of `options.registries` (they win over the docker config for their hosts;
/// their secrets are masked) and its `insecure` hosts; logins that expire are renewed during the run by
/// resolving them again (RunRequest::renewLogins). Throws as resolveRegistryLogins.
void addRegistryLogins(const RunOnceOptions& options, runner::RunRequest& request);

}  // namespace hangar::agent
