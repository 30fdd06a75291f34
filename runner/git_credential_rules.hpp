#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/agent_config.hpp"
#include "runner/git_credentials.hpp"

namespace hangar::runner {

/// True when agent.yaml's `gitCredentials` entry `rule` is for `url`: its `host` (case-insensitive;
/// a port in the rule must match, a rule without one matches any port) is the URL's host, or the URL
/// (user info removed) starts with its `urlPrefix` at a path boundary. Handles scheme URLs and
/// scp-like `user@host:path`.
bool gitCredentialRuleMatches(const config::GitCredentialSettings& rule, const std::string& url);

/// The credentials agent.yaml gives `url`: the matching entry with the longest `urlPrefix`, else one
/// whose `host` matches (one with a port first); its password, token, key and passphrase read now
/// (files owner-only, see readSecretFile). The result is limited to URLs that entry matches
/// (GitCredentials::appliesTo). nullopt when no entry matches. Throws std::runtime_error naming the
/// entry's position and its file or variable, never a value.
std::optional<GitCredentials> gitCredentialsFor(const std::vector<config::GitCredentialSettings>& rules,
                                                const std::string& url);

}  // namespace hangar::runner
