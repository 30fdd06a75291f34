// runTask with real buildah behind a wrapper that fails the first start of a container or build the
// way buildah does now and then (its re-exec cannot seal the memfd copy of itself): Hangar starts the
// engine again instead of failing the step, but never runs a step's command twice.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runner/task_run.hpp"
#include "runner/task_run_buildah_test_helper.hpp"
#include "tests/support/busybox_image.hpp"
#include "tests/support/command.hpp"
#include "tests/support/stand_in_images.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace buildah_test;

constexpr std::string_view kFailure = "Close_Fd sealing memfd copy: Device or resource busy";

class EngineRetryTest : public TaskRunBuildahTest {
 protected:
  // The wrapper fails the first `buildah SUBCOMMAND` of each kind listed in `failFirst` (before
  // anything of the container ran, as buildah does) whose arguments hold `argumentPart` (any when
  // empty), then passes every call on to buildah.
  void wrapBuildah(const std::string& failFirst, const std::string& argumentPart = "") {
    wrapBuildahWith(
        "for arg in \"$@\"; do case $arg in run|build|bud) sub=$arg; break;; esac; done\n"
        "case \" " +
        failFirst + " \" in *\" $sub \"*) case \" $* \" in *'" + argumentPart +
        "'*)\n"
        "  if [ -n \"$sub\" ] && mkdir '" +
        marks().string() +
        "/'$sub 2>/dev/null; then\n"
        "    echo '" +
        std::string(kFailure) +
        "' >&2; echo 'Error: exit status 1' >&2; exit 1\n"
        "  fi;; esac;;\n"
        "esac\n");
  }
};

TEST_F(EngineRetryTest, ACmdStepWhoseContainerFailedToStartRunsOnceOnTheNextStart) {
  wrapBuildah("run");
  const std::string image = test::build_busybox_image(test::busybox_base_image());
  auto count = step("count", config::StepKind::Cmd);
  count.cmd = image + " sh -c 'echo ran >> /workspace/runs; cat /workspace/runs'";
  request.task.steps = {count};

  const auto record = run();

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error << "\n" << log.text();
  EXPECT_THAT(log.outputOf("count"), HasSubstr(std::string(kFailure)));  // the failure stays visible
  EXPECT_THAT(log.outputOf("count"), ::testing::EndsWith("\nran\n"));    // the command ran exactly once
  EXPECT_THAT(log.text(), HasSubstr("starting it again (attempt 2 of 3)"));
  EXPECT_TRUE(fs::exists(marks() / "run"));  // the wrapper did fail one start
}

TEST_F(EngineRetryTest, ABuildThatFailedInTheEngineIsBuiltAgain) {
  wrapBuildah("build bud");
  test::TempDir context;
  fs::copy_file(test::static_busybox(), context.path() / "busybox");
  const std::string local = uniqueId("hangar-engine-retry-");
  // A label of its own: no other test's build makes the same image, which its cleanup could delete.
  context.write("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\nLABEL hangar.test=" + local + "\n");
  request.contextDir = context.path();
  auto build = step("build", config::StepKind::Build);
  build.build = "-t " + local + " .";
  request.task.steps = {build};

  const auto record = run();
  test::run_command(buildah({"rmi", local}));

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error << "\n" << log.text();
  EXPECT_THAT(log.text(), HasSubstr("starting it again (attempt 2 of 3)"));
}

TEST_F(EngineRetryTest, TheSameMessageFromAStepsOwnCommandIsTheStepsFailure) {
  const std::string image = test::build_busybox_image(test::busybox_base_image());
  auto fails = step("fails", config::StepKind::Cmd);
  // The message comes first here (on stderr), the command's own output after it (on stdout).
  fails.cmd = image + " sh -c 'echo ran >> /workspace/runs; echo \"" + std::string(kFailure) +
              "\" >&2; cat /workspace/runs; exit 1'";
  request.task.steps = {fails};

  const auto record = run();

  EXPECT_EQ(record.status, RunStatus::Failed);
  // The command ran once, not again (its stdout and stderr lines may come in either order: two pipes).
  const std::string output = log.outputOf("fails");
  EXPECT_THAT(output, HasSubstr(std::string(kFailure)));
  EXPECT_EQ(output.find("ran\n"), output.rfind("ran\n")) << output;
  EXPECT_THAT(output, HasSubstr("ran\n"));
  EXPECT_THAT(log.text(), Not(HasSubstr("starting it again")));
}

TEST_F(EngineRetryTest, ADetachedContainerThatFailedToStartIsStartedAgainOnce) {
  wrapBuildah("run", "detached-writer");  // only the detached step's container fails its first start
  const std::string image = test::build_busybox_image(test::busybox_base_image());
  auto writer = step("detached-writer", config::StepKind::Cmd);
  writer.cmd = image + " sh -c 'echo ran >> /workspace/runs'";
  writer.detach = true;
  // Waits (bounded by its timeout) until the detached step wrote, then shows what it wrote.
  auto reader = step("reader", config::StepKind::Cmd);
  reader.cmd = image + " sh -c 'until [ -s /workspace/runs ]; do sleep 0.1; done; cat /workspace/runs'";
  reader.timeout = 120;
  request.task.steps = {writer, reader};

  const auto record = run();

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error << "\n" << log.text();
  EXPECT_TRUE(fs::exists(marks() / "run"));  // the detached container's first start failed
  EXPECT_THAT(log.text(), HasSubstr("Detached step ID: detached-writer: the container failed to start with a "
                                    "transient engine failure (above), not the step's; starting it again "
                                    "(attempt 2 of 3)"));
  EXPECT_EQ(log.outputOf("reader"), "ran\n");  // the detached command ran exactly once
}

}  // namespace
}  // namespace hangar::runner
