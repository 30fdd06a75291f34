// The OCI client against a real docker-registry that demands htpasswd Basic auth.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/process.hpp>
#include <thread>

#include "registry/oci_client.hpp"
#include "tests/support/command.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/htpasswd.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::registry {
namespace {

namespace bp = boost::process;

struct BasicAuthRegistry {
  test::TempDir dir{"hangar-basic-registry"};
  int port = test::pick_free_loopback_port();
  bp::child child;

  BasicAuthRegistry() {
    dir.write("htpasswd", "alice:" + test::bcrypt_hash("s3cret") + "\n");
    const auto config = dir.write(
        "config.yml",
        "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + (dir.path() / "storage").string() +
            "\n  delete:\n    enabled: true\nauth:\n  htpasswd:\n    realm: test\n"
            "    path: " +
            (dir.path() / "htpasswd").string() + "\nhttp:\n  addr: 127.0.0.1:" + std::to_string(port) + "\n");
    child = bp::child("/usr/bin/docker-registry", bp::args({"serve", config.string()}),
                      (bp::std_out & bp::std_err) > (dir.path() / "log").string(), bp::std_in < bp::null);
    CurlTransport http;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        if (http.send({"GET", url() + "/v2/", {}, ""}).status == 401) return;
      } catch (const HttpError&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("docker-registry with htpasswd did not start:\n" +
                             test::read_file(dir.path() / "log"));
  }
  ~BasicAuthRegistry() {
    std::error_code ec;
    ::kill(child.id(), SIGTERM);
    child.wait(ec);
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(port); }
  std::string url() const { return "http://" + host(); }
};

TEST(OciClientBasicAuth, HtpasswdRegistryAcceptsBasicAndRejectsAnonymous) {
  BasicAuthRegistry registry;
  CurlTransport http;
  OciClient alice(registry.host(), http,
                  std::make_shared<StaticCredentialProvider>(Credential{"alice", "s3cret", ""}));
  EXPECT_NO_THROW(alice.ping());
  EXPECT_TRUE(alice.catalog().empty());
  OciClient anonymous(registry.host(), http, nullptr);
  try {
    anonymous.ping();
    FAIL() << "expected 401";
  } catch (const RegistryError& e) {
    EXPECT_EQ(e.status(), 401);
  }
  OciClient wrong(registry.host(), http,
                  std::make_shared<StaticCredentialProvider>(Credential{"alice", "nope", ""}));
  try {
    wrong.ping();
    FAIL() << "expected 401";
  } catch (const RegistryError& e) {
    EXPECT_EQ(e.status(), 401);
    EXPECT_THAT(e.what(), ::testing::Not(::testing::HasSubstr("nope")));
  }
}

}  // namespace
}  // namespace hangar::registry
