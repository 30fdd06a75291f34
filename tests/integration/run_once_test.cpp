// End to end: the real `hangar run-once` against a real registry on loopback, with buildah.
// Images are built FROM a busybox base that the test pushes to that registry: nothing comes from the
// internet.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/support/busybox_image.hpp"
#include "tests/support/command.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/stand_in_images.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr auto kRunTimeout = std::chrono::minutes(5);

/// A Dockerfile FROM the registry's busybox base whose CMD prints a greeting with a marker.
constexpr const char* kDockerfile =
    "ARG BASE\n"
    "FROM ${BASE}\n"
    "COPY greeting.txt /greeting.txt\n"
    "CMD [\"cat\", \"/greeting.txt\"]\n";
constexpr const char* kGreeting = "greeting-from-the-pushed-image-7f3a";

/// The classic three steps: build from the pushed base, push, then run what was pushed.
constexpr const char* kBuildPushRunTask =
    "version: v1.1.0\n"
    "steps:\n"
    "  - id: build\n"
    "    build: -t $Registry/hello:$ID --build-arg BASE=$Registry/base/busybox:1 .\n"
    "  - id: push\n"
    "    push: [\"$Registry/hello:$ID\"]\n"
    "  - id: greet\n"
    "    cmd: $Registry/hello:$ID\n";

/// One state directory for every run of the integration tests: its run-id counter is shared under a lock,
/// so runs of tests that ctest starts in parallel get distinct run ids (and so distinct container names,
/// which buildah keeps machine-wide).
std::filesystem::path shared_state_dir() {
  return std::filesystem::temp_directory_path() / "hangar-integration-state";
}

bool any_line_has_both(const std::string& text, const std::string& a, const std::string& b) {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  std::istringstream lines(lower(text));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find(lower(a)) != std::string::npos && line.find(lower(b)) != std::string::npos) return true;
  }
  return false;
}

class RunOnceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    build_and_push_busybox_image(busybox_base_image(), registry_.host() + "/base/busybox:1");
    // A label of its own: tests building the same content would share one image, whose names buildah
    // rewrites as each test tags and cleans up (a name can get lost on the way).
    context_.write("Dockerfile", std::string(kDockerfile) +
                                     "LABEL hangar.test=" + context_.path().filename().string() + "\n");
    context_.write("greeting.txt", std::string(kGreeting) + "\n");
  }

  void TearDown() override { remove_local_images(registry_.host() + "/"); }

  std::filesystem::path write_task(const std::string& text) const {
    return context_.write("acr-task.yaml", text);
  }

  CommandResult run_once(const std::filesystem::path& task, std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"run-once",
                                     "-f",
                                     task.string(),
                                     "--registry",
                                     registry_.host(),
                                     "--state-dir",
                                     shared_state_dir().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(context_.path().string());
    CommandOptions options;
    options.timeout = kRunTimeout;
    return run_hangar(args, options);
  }

  LocalRegistry registry_;
  TempDir context_{"hangar-context"};
};

TEST_F(RunOnceTest, BuildsPushesAndRunsThePushedImage) {
  const auto result = run_once(write_task(kBuildPushRunTask));

  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto tags = registry_.tags("hello");
  ASSERT_THAT(tags, SizeIs(1)) << result.describe();
  EXPECT_THAT(result.out + result.err, HasSubstr(kGreeting));
}

TEST_F(RunOnceTest, JsonRecordCarriesTheDigestTheRegistryServes) {
  const auto result = run_once(write_task(kBuildPushRunTask), {"--output", "json"});

  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto record = nlohmann::json::parse(result.out);
  EXPECT_EQ(record.at("status"), "Succeeded");
  ASSERT_THAT(record.at("steps"), SizeIs(3));
  // Steps use acb's step statuses (successful, failed, skipped); the run uses ACR's run statuses.
  for (const auto& step : record.at("steps")) EXPECT_EQ(step.at("status"), "Successful") << step.dump();
  ASSERT_THAT(record.at("outputImages"), SizeIs(1)) << record.dump(2);
  const auto& image = record.at("outputImages")[0];
  EXPECT_EQ(image.at("registry"), registry_.host());
  EXPECT_EQ(image.at("repository"), "hello");
  const std::string tag = image.at("tag");
  EXPECT_THAT(registry_.tags("hello"), ElementsAre(tag));
  EXPECT_THAT(image.at("digest").get<std::string>(), StartsWith("sha256:"));
  EXPECT_EQ(image.at("digest"), registry_.manifest_digest("hello", tag));
}

TEST_F(RunOnceTest, FailingCommandFailsTheRunAndNamesTheStep) {
  const auto task = write_task(
      "version: v1.1.0\n"
      "steps:\n"
      "  - id: fine\n"
      "    cmd: $Registry/base/busybox:1 echo first step ran\n"
      "  - id: boom\n"
      "    cmd: $Registry/base/busybox:1 sh -c 'echo exiting with 3; exit 3'\n"
      "  - id: never\n"
      "    cmd: $Registry/base/busybox:1 echo this must not run\n");

  const auto result = run_once(task);

  EXPECT_EQ(result.exit_code, 1) << result.describe();
  const std::string log = result.out + result.err;
  EXPECT_THAT(log, HasSubstr("first step ran"));
  EXPECT_THAT(log, HasSubstr("exiting with 3"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("this must not run")));
  EXPECT_TRUE(any_line_has_both(log, "boom", "fail")) << "no line names the failed step:\n" << log;
}

TEST_F(RunOnceTest, FailingCommandIsFailedInTheJsonRecord) {
  const auto task = write_task(
      "version: v1.1.0\n"
      "steps:\n"
      "  - id: boom\n"
      "    cmd: $Registry/base/busybox:1 sh -c 'exit 3'\n");

  const auto result = run_once(task, {"--output", "json"});

  EXPECT_EQ(result.exit_code, 1) << result.describe();
  const auto record = nlohmann::json::parse(result.out);
  EXPECT_EQ(record.at("status"), "Failed");
  ASSERT_THAT(record.at("steps"), SizeIs(1));
  EXPECT_EQ(record.at("steps")[0].at("id"), "boom");
  EXPECT_EQ(record.at("steps")[0].at("status"), "Failed");
  EXPECT_EQ(record.at("steps")[0].at("exitCode"), 3);
}

TEST_F(RunOnceTest, YamlSyntaxErrorIsAUsageErrorWithItsPosition) {
  const auto task = write_task(
      "version: v1.1.0\n"
      "steps:\n"
      "  - cmd: $Registry/base/busybox:1 echo hi\n"
      "    when: [unclosed\n");

  const auto result = run_once(task);

  EXPECT_EQ(result.exit_code, 2) << result.describe();
  EXPECT_TRUE(std::regex_search(result.err, std::regex("acr-task\\.yaml:[0-9]+:[0-9]+: error")))
      << result.describe();
  EXPECT_THAT(registry_.tags("hello"), ::testing::IsEmpty());
}

TEST_F(RunOnceTest, MisspelledKeyIsRejectedAtItsLineAndColumn) {
  const auto task = write_task(
      "version: v1.1.0\n"
      "steps:\n"
      "  - cmd: $Registry/base/busybox:1 echo hi\n"
      "    timout: 10\n");

  const auto result = run_once(task);

  EXPECT_EQ(result.exit_code, 2) << result.describe();
  EXPECT_THAT(result.err, HasSubstr(task.string() + ":4:5: error: unknown key 'timout'"))
      << result.describe();
}

TEST(RunOnceExampleTest, HelloExampleBuildsPushesAndGreets) {
  LocalRegistry registry;
  TempDir context("hangar-context");
  std::filesystem::copy(std::filesystem::path(HANGAR_SOURCE_DIR) / "examples/hello", context.path(),
                        std::filesystem::copy_options::recursive);
  std::filesystem::copy_file(static_busybox(), context.path() / "busybox");
  CommandOptions options;
  options.timeout = kRunTimeout;

  const auto result =
      run_hangar({"run-once", "-f", (context.path() / "acr-task.yaml").string(), "--registry",
                  registry.host(), "--state-dir", shared_state_dir().string(), context.path().string()},
                 options);

  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.out + result.err, HasSubstr("Hello from Hangar!"));
  EXPECT_THAT(registry.tags("hello"), SizeIs(1));
  EXPECT_EQ(remove_local_images(registry.host() + "/"), 1);
}

}  // namespace
}  // namespace hangar::test
