#include "runner/secret_source.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

/// The message of the std::runtime_error `read` throws ("" when it does not throw).
template <typename Read>
std::string errorOf(Read read) {
  try {
    read();
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "";
}

class SecretSourceTest : public ::testing::Test {
 protected:
  std::filesystem::path secretFile(const std::string& content, mode_t mode) {
    auto path = dir.write("secret", content);
    ::chmod(path.c_str(), mode);
    return path;
  }
  test::TempDir dir{"hangar-secret-source"};
};

TEST_F(SecretSourceTest, ReadsTheExactBytesOfAnOwnerOnlyFile) {
  EXPECT_EQ(readSecretFile(secretFile("line one\nwith-newline\n", 0600)), "line one\nwith-newline\n");
  EXPECT_EQ(readSecretFile(secretFile(std::string("a\0b\r\n", 5), 0400)), std::string("a\0b\r\n", 5));
}

TEST_F(SecretSourceTest, APasswordFileLosesOneTrailingNewlineOnly) {
  EXPECT_EQ(readPasswordFile(secretFile("pw-1\n", 0600)), "pw-1");
  EXPECT_EQ(readPasswordFile(secretFile("pw-2\r\n", 0600)), "pw-2");
  EXPECT_EQ(readPasswordFile(secretFile("pw-3\n\n", 0600)), "pw-3\n");
  EXPECT_EQ(readPasswordFile(secretFile("pw-4", 0600)), "pw-4");
  EXPECT_THAT(errorOf([&] { readPasswordFile(secretFile("pw-5\n", 0604)); }), HasSubstr("mode 0604"));
}

TEST_F(SecretSourceTest, RefusesFilesOthersCanReadWithoutShowingTheContent) {
  auto path = secretFile("hunter2-visible", 0644);
  std::string message = errorOf([&] { readSecretFile(path); });
  EXPECT_THAT(message, AllOf(HasSubstr(path.string()), HasSubstr("mode 0644"), HasSubstr("chmod 600"),
                             Not(HasSubstr("hunter2"))));
  ::chmod(path.c_str(), 0640);
  EXPECT_THAT(errorOf([&] { readSecretFile(path); }), HasSubstr("mode 0640"));
}

TEST_F(SecretSourceTest, RefusesWhatIsNotARegularFile) {
  EXPECT_THAT(errorOf([&] { readSecretFile(dir.path()); }), HasSubstr("not a regular file"));
  auto fifo = dir.path() / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THAT(errorOf([&] { readSecretFile(fifo); }), HasSubstr("not a regular file"));  // and no hang
  EXPECT_THAT(errorOf([&] { readSecretFile(dir.path() / "missing"); }),
              AllOf(HasSubstr("missing"), HasSubstr("No such file")));
}

TEST_F(SecretSourceTest, RefusesHugeFiles) {
  EXPECT_THAT(errorOf([&] { readSecretFile(secretFile(std::string((1 << 20) + 1, 'x'), 0600)); }),
              HasSubstr("larger than 1 MiB"));
}

TEST(SecretEnvironment, ReadsASetVariableAndNamesAMissingOne) {
  ::setenv("HANGAR_TEST_SECRET_SOURCE", "env-value", 1);
  EXPECT_EQ(readSecretEnv("HANGAR_TEST_SECRET_SOURCE"), "env-value");
  ::setenv("HANGAR_TEST_SECRET_SOURCE", "", 1);
  EXPECT_THAT(errorOf([] { readSecretEnv("HANGAR_TEST_SECRET_SOURCE"); }), HasSubstr("is empty"));
  ::unsetenv("HANGAR_TEST_SECRET_SOURCE");
  EXPECT_THAT(errorOf([] { readSecretEnv("HANGAR_TEST_SECRET_SOURCE"); }),
              HasSubstr("environment variable HANGAR_TEST_SECRET_SOURCE is not set"));
}

}  // namespace
}  // namespace hangar::runner
