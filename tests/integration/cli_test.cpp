// The command line contract (cli.md) of the verbs the foundation delivers: exit codes, validate,
// render with secrets masked, the quick `build`, and `run-once --cmd`, with the real binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

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
using ::testing::SizeIs;

std::filesystem::path stateDir() {
  return std::filesystem::temp_directory_path() / "hangar-integration-state";
}

TEST(CliTest, VersionAndUsageErrors) {
  auto version = run_hangar({"--version"});
  EXPECT_EQ(version.exit_code, 0) << version.describe();
  EXPECT_THAT(version.out, HasSubstr("hangar "));
  EXPECT_EQ(run_hangar({"no-such-verb"}).exit_code, 2);
  EXPECT_EQ(run_hangar({"run-once", "-f", "x.yaml"}).exit_code, 2);  // no context
  auto missing = run_hangar(
      {"run-once", "-f", "/nonexistent/acb.yaml", "--state-dir", stateDir().string(), "/dev/null"});
  EXPECT_EQ(missing.exit_code, 2) << missing.describe();
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent/acb.yaml"));
}

TEST(CliTest, ValidateReportsEveryProblemWithItsPosition) {
  TempDir dir;
  auto good = dir.write("good.yaml", "version: v1.1.0\nsteps:\n  - cmd: bash echo hi\n");
  auto bad = dir.write("bad.yaml",
                       "version: v1.1.0\n"
                       "steps:\n"
                       "  - id: a\n"
                       "    cmd: bash echo a\n"
                       "    when: [b]\n"
                       "  - id: b\n"
                       "    cmd: bash echo b\n"
                       "    retries: -1\n");
  auto ok = run_hangar({"validate", good.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  auto result = run_hangar({"validate", good.string(), bad.string()});
  EXPECT_EQ(result.exit_code, 2) << result.describe();
  EXPECT_THAT(result.err, HasSubstr(bad.string() + ":5:"));
  EXPECT_THAT(result.err, HasSubstr(bad.string() + ":8:"));
  EXPECT_THAT(result.err, Not(HasSubstr(good.string() + ":")));
}

TEST(CliTest, ValidateWarnsWhenACmdStepRacesTheBuildOfItsImage) {
  TempDir dir;
  const auto task = dir.write("acb.yaml",
                              "version: v1.1.0\n"
                              "steps:\n"
                              "  - build: -t app:{{.Run.ID}} .\n"
                              "    when: [\"-\"]\n"
                              "  - id: test\n"
                              "    cmd: app:{{.Run.ID}} run-tests\n"
                              "    when: [\"-\"]\n");
  auto result = run_hangar({"validate", task.string()});
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.err,
              HasSubstr(task.string() + ":5:5: warning: step 'test' runs app:validate, which step "
                                        "'acb_step_0' builds, without waiting for it"))
      << result.describe();
}

TEST(CliTest, RenderExpandsAliasesAndTemplatesAndMasksSecrets) {
  TempDir dir;
  dir.write("acb.yaml",
            "version: v1.1.0\n"
            "steps:\n"
            "  - cmd: bash echo {{.Values.greeting}} {{.Values.token}} {{.Values.token | b64enc}}\n"
            "  - push: [$Registry/app:{{.Run.ID}}]\n");
  auto result = run_hangar({"render", "-f", "acb.yaml", "--registry", "reg.example:5000", "--set",
                            "greeting=hi", "--set-secret", "token=hunter2-s3cret", dir.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.out, HasSubstr("echo hi *** ***"));
  EXPECT_THAT(result.out, HasSubstr("reg.example:5000/app:"));
  EXPECT_THAT(result.out, Not(HasSubstr("hunter2")));
  EXPECT_THAT(result.out, Not(HasSubstr("aHVudGVyMi1zM2NyZXQ")));  // base64 of the secret
}

class CliRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    build_and_push_busybox_image(busybox_base_image(), registry_.host() + "/base/busybox:1");
    context_.write("Dockerfile", "ARG BASE\nFROM ${BASE}\nCMD [\"echo\", \"quick-build-output\"]\n");
  }
  void TearDown() override { remove_local_images(registry_.host() + "/"); }

  CommandResult hangar(std::vector<std::string> args) const {
    args.insert(args.begin() + 1, {"--state-dir", stateDir().string()});
    CommandOptions options;
    options.timeout = std::chrono::minutes(5);
    return run_hangar(args, options);
  }

  LocalRegistry registry_;
  TempDir context_{"hangar-context"};
};

TEST_F(CliRegistryTest, BuildPushesEveryTagUnderTheRegistry) {
  auto result = hangar({"build", "-t", "quick:{{.Run.ID}}", "-t", "quick:latest", "--build-arg",
                        "BASE=" + registry_.host() + "/base/busybox:1", "--registry", registry_.host(),
                        context_.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(registry_.tags("quick"), SizeIs(2));
}

TEST_F(CliRegistryTest, BuildWithNoPushPushesNothing) {
  auto result = hangar({"build", "-t", "unpushed:1", "--no-push", "--build-arg",
                        "BASE=" + registry_.host() + "/base/busybox:1", "--registry", registry_.host(),
                        context_.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(registry_.tags("unpushed"), IsEmpty());
}

TEST_F(CliRegistryTest, RunOnceCmdRunsOneCommandInAnImage) {
  auto result = hangar({"run-once", "--cmd", registry_.host() + "/base/busybox:1 echo 'one command' done",
                        "--registry", registry_.host(), "/dev/null"});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.out, HasSubstr("one command done"));
}

}  // namespace
}  // namespace hangar::test
