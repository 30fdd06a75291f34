#include "runner/git_credential_rules.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "runner/secret_source.hpp"

namespace hangar::runner {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// The parts of a repository URL that credentials are matched on.
struct UrlParts {
  std::string host;  // lower case; an IPv6 address keeps its brackets
  std::string port;  // empty when not given
  std::string bare;  // scheme://host[:port]/path without user info, scheme and host in lower case
};

/// Splits "host[:port]" (or "[v6]:port").
void splitHostPort(const std::string& authority, std::string& host, std::string& port) {
  std::size_t colon = std::string::npos;
  if (authority.starts_with("[")) {
    const std::size_t close = authority.find(']');
    if (close != std::string::npos && close + 1 < authority.size() && authority[close + 1] == ':')
      colon = close + 1;
  } else {
    colon = authority.rfind(':');
  }
  host = lower(authority.substr(0, colon));
  port = colon == std::string::npos ? "" : authority.substr(colon + 1);
}

UrlParts parseUrl(const std::string& url) {
  UrlParts parts;
  const std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) {  // scp-like [user@]host:path
    const std::size_t colon = url.find(':');
    std::string authority = url.substr(0, colon);
    if (const std::size_t at = authority.rfind('@'); at != std::string::npos)
      authority = authority.substr(at + 1);
    parts.host = lower(authority);
    parts.bare = "ssh://" + parts.host + "/" + (colon == std::string::npos ? "" : url.substr(colon + 1));
    return parts;
  }
  const std::size_t start = scheme + 3;
  const std::size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (const std::size_t at = authority.rfind('@'); at != std::string::npos)
    authority = authority.substr(at + 1);
  splitHostPort(authority, parts.host, parts.port);
  parts.bare = lower(url.substr(0, start)) + parts.host + (parts.port.empty() ? "" : ":" + parts.port) +
               (end == std::string::npos ? "" : url.substr(end));
  return parts;
}

bool prefixMatches(const std::string& prefix, const std::string& url) {
  const UrlParts rule = parseUrl(prefix);
  const UrlParts target = parseUrl(url);
  if (!target.bare.starts_with(rule.bare)) return false;
  return rule.bare.ends_with('/') || target.bare.size() == rule.bare.size() ||
         std::string_view("/?#").find(target.bare[rule.bare.size()]) != std::string_view::npos;
}

/// How well `rule` matches: 0 = not at all; a URL prefix beats a host with a port beats a host.
std::size_t matchScore(const config::GitCredentialSettings& rule, const std::string& url) {
  if (!rule.urlPrefix.empty()) return prefixMatches(rule.urlPrefix, url) ? 1000 + rule.urlPrefix.size() : 0;
  std::string host, port;
  splitHostPort(rule.host, host, port);
  const UrlParts target = parseUrl(url);
  if (target.host != host) return 0;
  if (port.empty()) return 1;
  return port == target.port ? 2 : 0;
}

std::string describeRule(const config::GitCredentialSettings& rule) {
  const std::string at = rule.position.file.empty()
                             ? std::string()
                             : rule.position.file + ":" + std::to_string(rule.position.line) + ": ";
  return at + "gitCredentials entry for " + (rule.urlPrefix.empty() ? rule.host : rule.urlPrefix);
}

/// The value of a File/Env pair (one is set), or nullopt when neither is.
std::optional<std::string> readReference(const std::string& file, const std::string& env) {
  if (!file.empty()) return readSecretFile(file);
  if (!env.empty()) return readSecretEnv(env);
  return std::nullopt;
}

}  // namespace

bool gitCredentialRuleMatches(const config::GitCredentialSettings& rule, const std::string& url) {
  return matchScore(rule, url) > 0;
}

std::optional<GitCredentials> gitCredentialsFor(const std::vector<config::GitCredentialSettings>& rules,
                                                const std::string& url) {
  const config::GitCredentialSettings* best = nullptr;
  std::size_t bestScore = 0;
  for (const auto& rule : rules)
    if (const std::size_t score = matchScore(rule, url); score > bestScore) {
      best = &rule;
      bestScore = score;
    }
  if (best == nullptr) return std::nullopt;
  const config::GitCredentialSettings& rule = *best;
  GitCredentials credentials;
  try {
    if (!rule.username.empty()) credentials.username = rule.username;
    credentials.password = readReference(rule.passwordFile, rule.passwordEnv);
    if (!credentials.password) credentials.password = readReference(rule.tokenFile, rule.tokenEnv);
    if (!rule.sshKeyFile.empty()) {
      readSecretFile(rule.sshKeyFile);  // the same ownership and mode checks; libssh2 reads it itself
      credentials.sshPrivateKey = rule.sshKeyFile;
      if (!rule.sshPublicKeyFile.empty()) credentials.sshPublicKey = rule.sshPublicKeyFile;
      credentials.sshPassphrase = readReference(rule.sshPassphraseFile, rule.sshPassphraseEnv).value_or("");
      credentials.sshHostKey = rule.sshHostKey;
    }
  } catch (const std::exception& error) {
    throw std::runtime_error(describeRule(rule) + ": " + error.what());
  }
  credentials.appliesTo = [rule](const std::string& candidate) { return matchScore(rule, candidate) > 0; };
  return credentials;
}

}  // namespace hangar::runner
