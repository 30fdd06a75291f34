#include "registry/client_certificate_credential.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "config/base64.hpp"
#include "tests/support/azure_play_server.hpp"
#include "tests/support/client_assertion_check.hpp"
#include "tests/support/error_of.hpp"

namespace hangar::registry {
namespace {

using test::AzurePlayServer;
using test::clientAssertionProblem;
using test::makeTestCertificate;
using testing::HasSubstr;
using testing::Not;
using namespace std::chrono_literals;

const test::TestCertificate& certificateA() {
  static const auto certificate = makeTestCertificate("hangar-test-a");
  return certificate;
}

const test::TestCertificate& certificateB() {
  static const auto certificate = makeTestCertificate("hangar-test-b");
  return certificate;
}

using test::errorOf;

// The body of a PEM key without its armour lines: what must never appear in a message.
std::string keyMaterial(const std::string& pem) {
  const auto start = pem.find('\n') + 1;
  return pem.substr(start, 64);
}

nlohmann::json jwtPart(const std::string& jwt, int index) {
  std::size_t begin = 0;
  for (int i = 0; i < index; ++i) begin = jwt.find('.', begin) + 1;
  const auto end = jwt.find('.', begin);
  return nlohmann::json::parse(*config::decodeBase64Url(jwt.substr(begin, end - begin)));
}

TEST(ClientCertificate, ReadsKeyAndCertificateInEitherOrder) {
  const auto& pem = certificateA();
  const auto keyFirst = ClientCertificate::fromPem(pem.combinedPem(), "sp.pem");
  const auto certificateFirst = ClientCertificate::fromPem(pem.certificatePem + pem.privateKeyPem, "sp.pem");
  EXPECT_EQ(keyFirst.x5t(), certificateFirst.x5t());
  EXPECT_EQ(keyFirst.thumbprintHex().size(), 40u);  // SHA-1
  EXPECT_EQ(config::decodeBase64Url(keyFirst.x5t())->size(), 20u);
  EXPECT_NE(keyFirst.x5t(), ClientCertificate::fromPem(certificateB().combinedPem(), "b.pem").x5t());
}

TEST(ClientCertificate, RefusesIncompleteOrMismatchedFilesWithoutQuotingTheKey) {
  const auto& a = certificateA();
  const auto& b = certificateB();
  auto message = errorOf([&] { ClientCertificate::fromPem(a.privateKeyPem, "/etc/hangar/sp.pem"); });
  EXPECT_THAT(message, HasSubstr("/etc/hangar/sp.pem"));
  EXPECT_THAT(message, HasSubstr("no PEM certificate"));
  EXPECT_THAT(message, Not(HasSubstr(keyMaterial(a.privateKeyPem))));
  message = errorOf([&] { ClientCertificate::fromPem(a.certificatePem, "sp.pem"); });
  EXPECT_THAT(message, HasSubstr("no unencrypted PEM private key"));
  message = errorOf([&] { ClientCertificate::fromPem(b.privateKeyPem + a.certificatePem, "sp.pem"); });
  EXPECT_THAT(message, HasSubstr("does not belong to the certificate"));
  EXPECT_THAT(message, Not(HasSubstr(keyMaterial(b.privateKeyPem))));
  EXPECT_THAT(errorOf([] { ClientCertificate::fromPem("not pem at all", "x.pem"); }),
              HasSubstr("no PEM certificate"));
}

TEST(ClientCertificate, AnEncryptedKeyIsRefusedWithoutAskingForAPassphrase) {
  const auto& a = certificateA();
  std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_mem_buf(a.privateKeyPem.data(), -1), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  ASSERT_TRUE(key);
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
  char passphrase[] = "pass phrase";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), EVP_aes_256_cbc(), passphrase,
                                          sizeof passphrase - 1, nullptr, nullptr),
            1);
  char* data = nullptr;
  const auto length = BIO_get_mem_data(out.get(), &data);
  const std::string encrypted(data, static_cast<std::size_t>(length));
  ASSERT_THAT(encrypted, HasSubstr("ENCRYPTED PRIVATE KEY"));
  EXPECT_THAT(errorOf([&] { ClientCertificate::fromPem(encrypted + a.certificatePem, "sp.pem"); }),
              HasSubstr("no unencrypted PEM private key"));
}

TEST(ClientCertificate, AnEcKeyIsRefused) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  ASSERT_TRUE(key);
  std::unique_ptr<X509, decltype(&X509_free)> certificate(X509_new(), X509_free);
  X509_set_pubkey(certificate.get(), key.get());
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 3600);
  ASSERT_NE(X509_sign(certificate.get(), key.get(), EVP_sha256()), 0);
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_X509(out.get(), certificate.get());
  char* data = nullptr;
  const auto length = BIO_get_mem_data(out.get(), &data);
  EXPECT_THAT(errorOf([&] {
                ClientCertificate::fromPem(std::string(data, static_cast<std::size_t>(length)), "ec.pem");
              }),
              HasSubstr("not an RSA key"));
}

TEST(ClientAssertion, IsASignedJwtNamingTheCertificateAndTheTokenUrl) {
  const auto certificate = ClientCertificate::fromPem(certificateA().combinedPem(), "sp.pem");
  const auto now = std::chrono::system_clock::now();
  const std::string url = "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token";
  const auto assertion = makeClientAssertion(certificate, "app-1", url, now);
  const auto header = jwtPart(assertion, 0);
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(header["typ"], "JWT");
  EXPECT_EQ(header["x5t"], certificate.x5t());
  const auto claims = jwtPart(assertion, 1);
  EXPECT_EQ(claims["aud"], url);
  EXPECT_EQ(claims["iss"], "app-1");
  EXPECT_EQ(claims["sub"], "app-1");
  EXPECT_EQ(claims["exp"].get<long long>() - claims["nbf"].get<long long>(), 600);
  EXPECT_NE(claims["jti"], jwtPart(makeClientAssertion(certificate, "app-1", url, now), 1)["jti"]);

  EXPECT_EQ(clientAssertionProblem(assertion, certificateA().certificatePem, "app-1", url, now),
            std::nullopt);
  EXPECT_THAT(
      clientAssertionProblem(assertion, certificateB().certificatePem, "app-1", url, now).value_or(""),
      HasSubstr("AADSTS700027"));
  EXPECT_THAT(
      clientAssertionProblem(assertion, certificateA().certificatePem, "app-2", url, now).value_or(""),
      HasSubstr("AADSTS700021"));
  EXPECT_THAT(clientAssertionProblem(assertion, certificateA().certificatePem, "app-1", url, now + 11min)
                  .value_or(""),
              HasSubstr("valid time range"));
  auto tampered = assertion;
  tampered[tampered.rfind('.') + 5] = tampered[tampered.rfind('.') + 5] == 'A' ? 'B' : 'A';
  EXPECT_THAT(clientAssertionProblem(tampered, certificateA().certificatePem, "app-1", url, now).value_or(""),
              HasSubstr("invalid signature"));
}

TEST(ClientCertificateCredential, TokenFromAadWithAClientAssertion) {
  AzurePlayServer server;
  server.addServicePrincipalCertificate("tenant-1", "app-1", certificateA().certificatePem);
  ClientCertificateCredential credential(server.url(), "tenant-1", "app-1",
                                         ClientCertificate::fromPem(certificateA().combinedPem(), "sp.pem"));
  const auto token = credential.getToken("https://containerregistry.azure.net");
  EXPECT_FALSE(token.token.empty());
  EXPECT_GT(token.expiresOn, std::chrono::system_clock::now() + 50min);
  const auto requests = server.requests("/tenant-1/oauth2/v2.0/token");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].form.at("grant_type"), "client_credentials");
  EXPECT_EQ(requests[0].form.at("client_id"), "app-1");
  EXPECT_EQ(requests[0].form.at("client_assertion_type"),
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  EXPECT_EQ(requests[0].form.count("client_secret"), 0u);
  EXPECT_EQ(requests[0].form.at("scope"), "https://containerregistry.azure.net/.default");
  credential.getToken("https://containerregistry.azure.net");
  EXPECT_EQ(server.requests("/tenant-1/").size(), 1u);  // cached
}

TEST(ClientCertificateCredential, AnUnregisteredCertificateIsReportedByThumbprint) {
  AzurePlayServer server;
  server.addServicePrincipalCertificate("tenant-1", "app-1", certificateA().certificatePem);
  const auto other = ClientCertificate::fromPem(certificateB().combinedPem(), "other.pem");
  const auto thumbprint = other.thumbprintHex();
  ClientCertificateCredential credential(server.url(), "tenant-1", "app-1", other);
  const auto message = errorOf([&] { credential.getToken("https://containerregistry.azure.net"); });
  EXPECT_THAT(message, HasSubstr("AADSTS700027"));
  EXPECT_THAT(message, HasSubstr("certificate (thumbprint " + thumbprint + ")"));
  EXPECT_THAT(message, HasSubstr("app-1"));
  EXPECT_THAT(message, Not(HasSubstr(keyMaterial(certificateB().privateKeyPem))));
  EXPECT_THAT(message, Not(HasSubstr("client_assertion=")));
}

}  // namespace
}  // namespace hangar::registry
