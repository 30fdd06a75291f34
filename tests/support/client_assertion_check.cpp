#include "tests/support/client_assertion_check.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "config/base64.hpp"

namespace hangar::test {
namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

X509Ptr readCertificate(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  return X509Ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr, X509_free);
}

std::string bioText(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return {data, static_cast<std::size_t>(length)};
}

bool verifyRs256(EVP_PKEY* key, const std::string& input, const std::string& signature) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const bool valid = context &&
                     EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
                     EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                                      signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                                      input.size()) == 1;
  ERR_clear_error();
  return valid;
}

}  // namespace

std::optional<std::string> clientAssertionProblem(const std::string& assertion,
                                                  const std::string& certificatePem,
                                                  const std::string& clientId, const std::string& tokenUrl,
                                                  std::chrono::system_clock::time_point now) {
  const auto firstDot = assertion.find('.');
  const auto secondDot = assertion.find('.', firstDot == std::string::npos ? 0 : firstDot + 1);
  if (firstDot == std::string::npos || secondDot == std::string::npos ||
      assertion.find('.', secondDot + 1) != std::string::npos) {
    return "AADSTS50027: JWT token is invalid or malformed.";
  }
  const auto headerText = config::decodeBase64Url(assertion.substr(0, firstDot));
  const auto claimsText = config::decodeBase64Url(assertion.substr(firstDot + 1, secondDot - firstDot - 1));
  const auto signature = config::decodeBase64Url(assertion.substr(secondDot + 1));
  if (!headerText || !claimsText || !signature) return "AADSTS50027: JWT token is invalid or malformed.";
  const auto header = nlohmann::json::parse(*headerText, nullptr, false);
  const auto claims = nlohmann::json::parse(*claimsText, nullptr, false);
  if (!header.is_object() || !claims.is_object()) return "AADSTS50027: JWT token is invalid or malformed.";
  if (header.value("alg", "") != "RS256") return "AADSTS5002738: Invalid JWT token. 'alg' is not supported.";

  auto certificate = readCertificate(certificatePem);
  if (!certificate) throw std::runtime_error("the play server's certificate is not PEM");
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  X509_digest(certificate.get(), EVP_sha1(), digest.data(), &length);
  const std::string thumbprint =
      config::encodeBase64Url({reinterpret_cast<const char*>(digest.data()), length});
  if (header.value("x5t", "") != thumbprint) {
    return "AADSTS700027: The certificate with identifier used to sign the client assertion is not "
           "registered on application.";
  }
  KeyPtr publicKey(X509_get_pubkey(certificate.get()), EVP_PKEY_free);
  if (!publicKey || !verifyRs256(publicKey.get(), assertion.substr(0, secondDot), *signature))
    return "AADSTS7000274: Client assertion contains an invalid signature.";

  if (claims.value("aud", "") != tokenUrl)
    return "AADSTS700212: No matching federated identity record found for presented assertion audience.";
  if (claims.value("iss", "") != clientId || claims.value("sub", "") != clientId)
    return "AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter.";
  if (!claims.contains("jti") || !claims["jti"].is_string() || claims["jti"].get<std::string>().empty())
    return "AADSTS700024: Client assertion has no jti claim.";
  if (!claims.contains("exp") || !claims["exp"].is_number_integer() || !claims.contains("nbf") ||
      !claims["nbf"].is_number_integer()) {
    return "AADSTS700023: Client assertion has no exp or nbf claim.";
  }
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (claims["exp"].get<long long>() < seconds)
    return "AADSTS700024: Client assertion is not within its valid time range.";
  if (claims["nbf"].get<long long>() > seconds + 300)
    return "AADSTS700024: Client assertion is not within its valid time range.";
  return std::nullopt;
}

TestCertificate makeTestCertificate(const std::string& commonName) {
  KeyPtr key(EVP_RSA_gen(2048), EVP_PKEY_free);
  X509Ptr certificate(X509_new(), X509_free);
  if (!key || !certificate) throw std::runtime_error("openssl cannot make a test key");
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 24 * 3600);
  X509_set_pubkey(certificate.get(), key.get());
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0);
  X509_set_issuer_name(certificate.get(), name);
  if (X509_sign(certificate.get(), key.get(), EVP_sha256()) == 0)
    throw std::runtime_error("openssl cannot sign a test certificate");
  BioPtr keyBio(BIO_new(BIO_s_mem()), BIO_free);
  BioPtr certificateBio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_X509(certificateBio.get(), certificate.get());
  return {bioText(certificateBio.get()), bioText(keyBio.get())};
}

}  // namespace hangar::test
