// The OCI client and `doctor` against a real docker-registry serving TLS (a CA and a server certificate
// the test generates with openssl) with htpasswd Basic auth: verified with the CA bundle, refused without.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/process.hpp>
#include <thread>

#include "registry/oci_client.hpp"
#include "registry/registry_doctor.hpp"
#include "tests/support/command.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/htpasswd.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::registry {
namespace {

namespace bp = boost::process;
using ::testing::HasSubstr;

struct TlsRegistry {
  test::TempDir dir{"hangar-tls-registry"};
  int port = test::pick_free_loopback_port();
  bp::child child;

  std::filesystem::path ca() const { return dir.path() / "ca.pem"; }

  TlsRegistry() {
    const auto d = dir.path().string();
    test::run_checked({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/ca.key",
                       "-out", d + "/ca.pem", "-days", "2", "-subj", "/CN=Hangar Test CA"});
    test::run_checked({"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/server.key",
                       "-out", d + "/server.csr", "-subj", "/CN=127.0.0.1"});
    dir.write("ext.cnf",
              "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
    test::run_checked({"openssl", "x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.pem", "-CAkey",
                       d + "/ca.key", "-CAcreateserial", "-out", d + "/server.pem", "-days", "2", "-extfile",
                       d + "/ext.cnf"});
    dir.write("htpasswd", "alice:" + test::bcrypt_hash("s3cret") + "\n");
    const auto config = dir.write(
        "config.yml",
        "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + d +
            "/storage\n  delete:\n    enabled: true\nauth:\n  htpasswd:\n    realm: test\n    path: " + d +
            "/htpasswd\nhttp:\n  addr: 127.0.0.1:" + std::to_string(port) +
            "\n  tls:\n    certificate: " + d + "/server.pem\n    key: " + d + "/server.key\n");
    child = bp::child("/usr/bin/docker-registry", bp::args({"serve", config.string()}),
                      (bp::std_out & bp::std_err) > (dir.path() / "log").string(), bp::std_in < bp::null);
    HttpOptions options;
    options.caBundle = ca().string();
    options.maxRetries = 0;
    CurlTransport http(options);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        if (http.send({"GET", "https://" + host() + "/v2/", {}, ""}).status == 401) return;
      } catch (const HttpError&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("docker-registry with TLS did not start:\n" +
                             test::read_file(dir.path() / "log"));
  }
  ~TlsRegistry() {
    std::error_code ec;
    ::kill(child.id(), SIGTERM);
    child.wait(ec);
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(port); }
};

TEST(OciClientTls, VerifiesWithTheCaBundleAndRefusesWithoutIt) {
  TlsRegistry registry;
  auto alice = std::make_shared<StaticCredentialProvider>(Credential{"alice", "s3cret", ""});
  HttpOptions trusted;
  trusted.caBundle = registry.ca().string();
  CurlTransport verified(trusted);
  OciClient client(registry.host(), verified, alice, false, /*tls=*/true);
  EXPECT_EQ(client.baseUrl(), "https://" + registry.host());
  EXPECT_NO_THROW(client.ping());
  EXPECT_TRUE(client.catalog().empty());

  HttpOptions system;
  system.maxRetries = 0;
  CurlTransport unverified(system);
  OciClient refused(registry.host(), unverified, alice, false, true);
  try {
    refused.ping();
    FAIL() << "expected a TLS verification error";
  } catch (const HttpError& e) {
    EXPECT_THAT(e.what(), HasSubstr("certificate"));
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("s3cret")));
  }
}

TEST(OciClientTls, DoctorNamesAnUntrustedCertificateAndPassesWithTheBundle) {
  TlsRegistry registry;
  RegistryDoctorOptions options;
  options.registry = registry.host();
  options.http.caBundle = "/etc/ssl/certs/ca-certificates.crt";  // forces TLS; not the issuing CA
  options.credentials = std::make_shared<StaticCredentialProvider>(Credential{"alice", "s3cret", ""});
  auto checks = diagnoseRegistry(options);
  ASSERT_FALSE(checks.empty());
  EXPECT_EQ(checks.back().name, "TLS");
  EXPECT_EQ(checks.back().status, DoctorCheck::Status::Fail);
  EXPECT_THAT(checks.back().hint, HasSubstr("does not verify against"));

  options.http.caBundle = registry.ca().string();
  options.credentialSource = "test";
  checks = diagnoseRegistry(options);
  for (const auto& check : checks)
    EXPECT_NE(check.status, DoctorCheck::Status::Fail) << check.name << ": " << check.detail;
  EXPECT_EQ(checks.back().name, "push permission");
}

}  // namespace
}  // namespace hangar::registry
