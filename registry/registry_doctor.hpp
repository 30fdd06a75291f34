#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "registry/credential_provider.hpp"
#include "registry/http_transport.hpp"

namespace hangar::registry {

/// One check of `hangar doctor`: what was checked, how it went, what was seen, and how to fix a failure.
/// No field ever holds a secret.
struct DoctorCheck {
  enum class Status { Pass, Warn, Fail, Skip };
  std::string name;
  Status status = Status::Pass;
  std::string detail;
  std::string hint;  ///< the fix, for Warn and Fail
};

/// "pass", "warn", "fail", "skip".
const char* statusName(DoctorCheck::Status status);

/// What to check on a registry and with which settings.
struct RegistryDoctorOptions {
  std::string registry;                             ///< "host[:port]"
  HttpOptions http;                                 ///< CA bundle, insecure hosts, timeouts
  std::shared_ptr<CredentialProvider> credentials;  ///< may be null (anonymous)
  std::string credentialSource;              ///< where they come from, e.g. "/root/.docker/config.json"
  std::string repository = "hangar-doctor";  ///< scratch repository for the pull/push checks
  bool checkPush = false;                    ///< also try to start (and cancel) a blob upload
  std::chrono::milliseconds connectTimeout{5'000};  ///< DNS is the system's; TCP connect limit
};

/// True for loopback, RFC 1918, link-local, CGNAT (100.64/10) and IPv6 ULA/link-local/loopback addresses.
bool isPrivateAddress(const std::string& address);

/// When `body` is ACR's firewall denial ("client with IP '<ip>' is not allowed access"), the IP (JSON
/// `\u0027` quotes handled); "" otherwise.
std::string firewallDeniedIp(const std::string& body);

/// The plain-words explanation and fix for ACR's firewall 403 naming `ip`.
std::string firewallHint(const std::string& ip);

/// Checks a registry end to end, in order, stopping at the first failure that makes the rest
/// meaningless: DNS (and whether the addresses are private), TCP connect, TLS verification, the
/// unauthenticated /v2/ challenge (firewall 403 explained), the credential source, authentication
/// (token exchange), pull permission on the scratch repository and, optionally, push permission.
std::vector<DoctorCheck> diagnoseRegistry(const RegistryDoctorOptions& options);

}  // namespace hangar::registry
