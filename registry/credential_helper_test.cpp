#include "registry/credential_helper.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace hangar::registry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr auto kExecutable = std::filesystem::perms::owner_all;

// A credential helper that answers by the server URL it reads on stdin (given without a newline).
constexpr std::string_view kHelperScript = R"(#!/bin/sh
[ "$1" = get ] || { echo "unexpected action $1" >&2; exit 3; }
url=$(cat)
case "$url" in
  reg.example.com) echo '{"ServerURL":"reg.example.com","Username":"alice","Secret":"s3cret-pw"}' ;;
  tok.example.com) echo '{"ServerURL":"tok.example.com","Username":"<token>","Secret":"refresh-tok"}' ;;
  https://index.docker.io/v1/) printf '{"Username":"hub","Secret":"hubpw"}' ;;
  broken.example.com) echo 'not json s3cret-pw' ;;
  nosecret.example.com) echo '{"Username":"x"}' ;;
  fail.example.com) echo 'keychain locked' >&2; exit 2 ;;
  hang.example.com) exec sleep 60 ;;
  *) echo 'credentials not found in native keychain'; exit 1 ;;
esac
)";

class CredentialHelperTest : public ::testing::Test {
 protected:
  test::TempDir dir_{"credential-helper"};
  std::filesystem::path helper_ = dir_.write("docker-credential-fake", kHelperScript, kExecutable);

  std::string errorFor(std::string_view url, std::chrono::seconds timeout = std::chrono::seconds(30)) {
    try {
      runCredentialHelperProgram(helper_, url, timeout);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(CredentialHelperTest, UsernameAndSecret) {
  const auto credential = runCredentialHelperProgram(helper_, "reg.example.com");
  ASSERT_TRUE(credential);
  EXPECT_EQ(credential->username, "alice");
  EXPECT_EQ(credential->password, "s3cret-pw");
  EXPECT_EQ(credential->identityToken, "");
}

TEST_F(CredentialHelperTest, TokenUsernameMeansIdentityToken) {
  const auto credential = runCredentialHelperProgram(helper_, "tok.example.com");
  ASSERT_TRUE(credential);
  EXPECT_EQ(credential->username, "");
  EXPECT_EQ(credential->password, "");
  EXPECT_EQ(credential->identityToken, "refresh-tok");
}

TEST_F(CredentialHelperTest, OutputWithoutNewline) {
  const auto credential = runCredentialHelperProgram(helper_, "https://index.docker.io/v1/");
  ASSERT_TRUE(credential);
  EXPECT_EQ(credential->username, "hub");
  EXPECT_EQ(credential->password, "hubpw");
}

TEST_F(CredentialHelperTest, NotFoundIsNoCredential) {
  EXPECT_EQ(runCredentialHelperProgram(helper_, "other.example.com"), std::nullopt);
}

TEST_F(CredentialHelperTest, FailuresNameTheHelperButNoSecret) {
  const auto failed = errorFor("fail.example.com");
  EXPECT_THAT(failed, HasSubstr(helper_.string()));
  EXPECT_THAT(failed, HasSubstr("exit code 2"));
  EXPECT_THAT(failed, HasSubstr("keychain locked"));

  const auto broken = errorFor("broken.example.com");
  EXPECT_THAT(broken, HasSubstr("did not print a JSON object"));
  EXPECT_THAT(broken, Not(HasSubstr("s3cret")));

  EXPECT_THAT(errorFor("nosecret.example.com"), HasSubstr("did not print a JSON object"));
}

TEST_F(CredentialHelperTest, HangingHelperTimesOut) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(errorFor("hang.example.com", std::chrono::seconds(1)), HasSubstr("no answer within 1 s"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST_F(CredentialHelperTest, MissingProgram) {
  helper_ = dir_.path() / "docker-credential-absent";
  EXPECT_THAT(errorFor("reg.example.com"), HasSubstr("could not be started"));
}

TEST_F(CredentialHelperTest, FoundOnPath) {
  const char* oldPath = std::getenv("PATH");
  const std::string saved = oldPath != nullptr ? oldPath : "";
  setenv("PATH", (dir_.path().string() + ":" + saved).c_str(), 1);
  std::optional<Credential> credential;
  std::string error;
  try {
    credential = runCredentialHelper("fake", "reg.example.com");
    runCredentialHelper("hangar-test-absent", "reg.example.com");
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  setenv("PATH", saved.c_str(), 1);
  ASSERT_TRUE(credential);
  EXPECT_EQ(credential->username, "alice");
  EXPECT_EQ(error, "credential helper docker-credential-hangar-test-absent is not on PATH");
  EXPECT_THROW(runCredentialHelper("../fake", "x"), std::runtime_error);
}

}  // namespace
}  // namespace hangar::registry
