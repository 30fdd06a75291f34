#pragma once

#include <openssl/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "registry/azure_identity.hpp"

namespace hangar::registry {

/// A service principal's X.509 certificate and its RSA private key, read from PEM text that holds both in
/// any order (the file `az ad sp create-for-rbac --create-cert` writes). Signs client assertions; the key
/// never leaves it and no message ever quotes it.
class ClientCertificate {
 public:
  /// Throws std::invalid_argument naming `source` (never the key) when the text has no certificate, no
  /// private key (an encrypted key counts as none: no passphrase is asked for), a key that is not RSA, or a
  /// key that does not belong to the certificate.
  static ClientCertificate fromPem(std::string_view pem, const std::string& source);

  /// The certificate's SHA-1 thumbprint, unpadded base64url: a JWT header's `x5t`.
  std::string x5t() const;
  /// The same thumbprint as upper-case hex, as the Azure portal and `az ad app credential list` show it.
  std::string thumbprintHex() const;
  /// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature of `data` with the private key.
  std::string signRs256(std::string_view data) const;

 private:
  std::shared_ptr<EVP_PKEY> key_;
  std::shared_ptr<X509> certificate_;
};

/// The JWT a service principal presents to AAD as `client_assertion`: header {"alg":"RS256","typ":"JWT",
/// "x5t":thumbprint}, claims aud = the token URL, iss = sub = client id, a random jti, nbf = iat = now,
/// exp = now + 10 minutes; signed with the certificate's key.
std::string makeClientAssertion(const ClientCertificate& certificate, const std::string& clientId,
                                const std::string& tokenUrl, std::chrono::system_clock::time_point now);

/// A service principal that proves itself with a certificate: each token request carries
/// client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer and a fresh
/// makeClientAssertion as client_assertion.
class ClientCertificateCredential final : public ServicePrincipalCredential {
 public:
  ClientCertificateCredential(std::string authorityHost, std::string tenantId, std::string clientId,
                              ClientCertificate certificate, TokenCredentialOptions options = {});

 private:
  std::vector<std::pair<std::string, std::string>> proof(
      const std::string& tokenUrl, std::chrono::system_clock::time_point now) const override;
  std::string proofName() const override;
  ClientCertificate certificate_;
};

}  // namespace hangar::registry
