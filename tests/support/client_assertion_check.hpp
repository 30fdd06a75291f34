#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace hangar::test {

/// What AAD would reject in a certificate client assertion, checked as AAD does: a three-part JWT with
/// alg RS256 and an `x5t` equal to the SHA-1 thumbprint of `certificatePem`, a signature the certificate's
/// public key verifies, aud = `tokenUrl`, iss = sub = `clientId`, a jti, and now inside [nbf - 5 min, exp].
/// Returns the AADSTS reason, or nothing when the assertion is valid.
std::optional<std::string> clientAssertionProblem(const std::string& assertion,
                                                  const std::string& certificatePem,
                                                  const std::string& clientId, const std::string& tokenUrl,
                                                  std::chrono::system_clock::time_point now);

/// A self-signed RSA certificate and its key, made with openssl for a test.
struct TestCertificate {
  std::string certificatePem;
  std::string privateKeyPem;
  /// Key then certificate, as `az ad sp create-for-rbac --create-cert` writes the file.
  std::string combinedPem() const { return privateKeyPem + certificatePem; }
};

/// Generates a fresh 2048-bit RSA key and a self-signed certificate for `commonName` (OpenSSL API, no
/// child process). Throws std::runtime_error when OpenSSL fails.
TestCertificate makeTestCertificate(const std::string& commonName);

}  // namespace hangar::test
