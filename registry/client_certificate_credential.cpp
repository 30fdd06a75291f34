#include "registry/client_certificate_credential.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "config/base64.hpp"

namespace hangar::registry {
namespace {

// PEM reads ask this for an encrypted key's passphrase: there is none, so the key is not read (and no
// prompt ever reaches a terminal).
int noPassphrase(char*, int, int, void*) { return -1; }

std::shared_ptr<BIO> memoryBio(std::string_view text) {
  std::shared_ptr<BIO> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), BIO_free);
  if (!bio) throw std::runtime_error("out of memory reading a certificate");
  return bio;
}

std::string sha1Thumbprint(X509* certificate) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (X509_digest(certificate, EVP_sha1(), digest.data(), &length) != 1)
    throw std::runtime_error("cannot compute the certificate's thumbprint");
  return {reinterpret_cast<const char*>(digest.data()), length};
}

std::string randomUuid() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("no random bytes for a client assertion id");
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string text;
  char hex[3];
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    std::snprintf(hex, sizeof hex, "%02x", bytes[i]);
    text += hex;
  }
  return text;
}

}  // namespace

ClientCertificate ClientCertificate::fromPem(std::string_view pem, const std::string& source) {
  const auto fail = [&](const std::string& why) {
    ERR_clear_error();
    return std::invalid_argument(source + ": " + why);
  };
  ClientCertificate result;
  result.certificate_.reset(PEM_read_bio_X509(memoryBio(pem).get(), nullptr, noPassphrase, nullptr),
                            X509_free);
  if (!result.certificate_) throw fail("no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
  result.key_.reset(PEM_read_bio_PrivateKey(memoryBio(pem).get(), nullptr, noPassphrase, nullptr),
                    EVP_PKEY_free);
  if (!result.key_) {
    throw fail(
        "no unencrypted PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----) in "
        "it; the file must hold the certificate and its key");
  }
  if (!EVP_PKEY_is_a(result.key_.get(), "RSA"))
    throw fail("the private key is not an RSA key (AAD needs RSA)");
  if (X509_check_private_key(result.certificate_.get(), result.key_.get()) != 1)
    throw fail("the private key does not belong to the certificate");
  return result;
}

std::string ClientCertificate::x5t() const {
  return config::encodeBase64Url(sha1Thumbprint(certificate_.get()));
}

std::string ClientCertificate::thumbprintHex() const {
  std::string text;
  char hex[3];
  for (unsigned char byte : sha1Thumbprint(certificate_.get())) {
    std::snprintf(hex, sizeof hex, "%02X", byte);
    text += hex;
  }
  return text;
}

std::string ClientCertificate::signRs256(std::string_view data) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t length = 0;
  if (!context || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("cannot sign with the certificate's key");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("cannot sign with the certificate's key");
  }
  signature.resize(length);
  return signature;
}

std::string makeClientAssertion(const ClientCertificate& certificate, const std::string& clientId,
                                const std::string& tokenUrl, std::chrono::system_clock::time_point now) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const nlohmann::json header{{"alg", "RS256"}, {"typ", "JWT"}, {"x5t", certificate.x5t()}};
  const nlohmann::json claims{{"aud", tokenUrl},     {"iss", clientId}, {"sub", clientId},
                              {"jti", randomUuid()}, {"nbf", seconds},  {"iat", seconds},
                              {"exp", seconds + 600}};
  const std::string signingInput =
      config::encodeBase64Url(header.dump()) + "." + config::encodeBase64Url(claims.dump());
  return signingInput + "." + config::encodeBase64Url(certificate.signRs256(signingInput));
}

ClientCertificateCredential::ClientCertificateCredential(std::string authorityHost, std::string tenantId,
                                                         std::string clientId, ClientCertificate certificate,
                                                         TokenCredentialOptions options)
    : ServicePrincipalCredential(std::move(authorityHost), std::move(tenantId), std::move(clientId),
                                 std::move(options)),
      certificate_(std::move(certificate)) {}

std::vector<std::pair<std::string, std::string>> ClientCertificateCredential::proof(
    const std::string& tokenUrl, std::chrono::system_clock::time_point now) const {
  return {{"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
          {"client_assertion", makeClientAssertion(certificate_, clientId(), tokenUrl, now)}};
}

std::string ClientCertificateCredential::proofName() const {
  return "certificate (thumbprint " + certificate_.thumbprintHex() + ")";
}

}  // namespace hangar::registry
