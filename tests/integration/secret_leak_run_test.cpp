// End to end: a secret that a step echoes (plain, base64 and URL-encoded) never reaches what Hangar
// writes: the console (text and --output json), the run record, the stored log and the run store.
// Real `hangar run-once`, buildah and a loopback registry holding a busybox base.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/busybox_image.hpp"
#include "tests/support/command.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/stand_in_images.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

namespace fs = std::filesystem;

constexpr const char* kToken = "s3cret-Tok/en+9z";  // --secret token=...
constexpr const char* kPassword = "pw:Val@ue#42";   // --set-secret pw=...

/// Every form of the two secrets a step prints below, and that must never be written anywhere.
const std::vector<std::string>& leakedForms() {
  static const std::vector<std::string> forms = {
      kToken,    "czNjcmV0LVRvay9lbis5eg==", "czNjcmV0LVRvay9lbis5eg", "s3cret-Tok%2Fen%2B9z",
      kPassword, "cHc6VmFsQHVlIzQy",         "pw%3AVal%40ue%2342"};
  return forms;
}

/// The step prints each secret as is, in base64 (computed in the container) and URL-encoded.
constexpr const char* kTask =
    "version: v1.1.0\n"
    "steps:\n"
    "  - id: leak\n"
    "    cmd: >-\n"
    "      $Registry/base/busybox:1 sh -c 'echo plain={{.Secrets.token}};\n"
    "      printf %s {{.Secrets.token}} | base64;\n"
    "      echo set=$PW; printf %s \"$PW\" | base64;\n"
    "      echo url=s3cret-Tok%2Fen%2B9z url2=pw%3AVal%40ue%2342;\n"
    "      echo leak-step-done'\n"
    "    env: [\"PW={{.Values.pw}}\"]\n";

/// The files under `dir` (below 16 MB) that hold `needle`.
std::vector<std::string> files_holding(const fs::path& dir, const std::string& needle) {
  std::vector<std::string> found;
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, error), end;
       it != end; it.increment(error)) {
    if (error) break;
    if (!it->is_regular_file(error) || it->file_size(error) > (16u << 20)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find(needle) != std::string::npos) found.push_back(it->path().string());
  }
  return found;
}

class SecretLeakRun : public ::testing::Test {
 protected:
  void SetUp() override {
    build_and_push_busybox_image(busybox_base_image(), registry_.host() + "/base/busybox:1");
    context_.write("acr-task.yaml", kTask);
  }
  void TearDown() override { remove_local_images(registry_.host() + "/"); }

  CommandResult run_once(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"run-once",
                                     "-f",
                                     "acr-task.yaml",
                                     "--registry",
                                     registry_.host(),
                                     "--state-dir",
                                     state_.path().string(),
                                     "--secret",
                                     std::string("token=") + kToken,
                                     "--set-secret",
                                     std::string("pw=") + kPassword};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(context_.path().string());
    CommandOptions options;
    options.timeout = std::chrono::minutes(5);
    return run_hangar(args, options);
  }

  LocalRegistry registry_;
  TempDir context_{"hangar-secret-leak"};
  TempDir state_{"hangar-secret-leak-state"};  // its own: another run's workspace holds the task file
};

TEST_F(SecretLeakRun, TextOutputMasksEveryForm) {
  const auto result = run_once();

  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const std::string output = result.out + result.err;
  EXPECT_THAT(output, HasSubstr("leak-step-done"));  // the step really printed its lines
  EXPECT_THAT(output, HasSubstr("plain=***"));
  EXPECT_THAT(output, HasSubstr("set=***"));
  EXPECT_THAT(output, HasSubstr("url=*** url2=***"));
  for (const auto& form : leakedForms()) EXPECT_THAT(output, Not(HasSubstr(form))) << form;
}

TEST_F(SecretLeakRun, JsonRecordStoredLogAndRunStoreHoldNoForm) {
  const auto result = run_once({"--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto record = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(record.is_discarded()) << result.describe();
  EXPECT_EQ(record.at("status"), "Succeeded");
  EXPECT_THAT(result.err, HasSubstr("leak-step-done"));
  for (const auto& form : leakedForms()) {
    EXPECT_THAT(result.out, Not(HasSubstr(form))) << form;
    EXPECT_THAT(result.err, Not(HasSubstr(form))) << form;
    // The stored log (<state>/logs/<id>.log), the run store and anything else the run left there.
    EXPECT_THAT(files_holding(state_.path(), form), IsEmpty()) << form;
  }
}

}  // namespace
}  // namespace hangar::test
