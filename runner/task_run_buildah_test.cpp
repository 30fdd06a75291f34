// runTask with the real process launcher and real buildah (vfs storage, chroot isolation), against a
// real registry on loopback. Slow (seconds per test); every image and container name is unique.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include "runner/task_run.hpp"
#include "runner/task_run_buildah_test_helper.hpp"
#include "tests/support/busybox_image.hpp"
#include "tests/support/command.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/stand_in_images.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;
using namespace buildah_test;

TEST_F(TaskRunBuildahTest, BuildsRunsAndPushesAFromScratchBusyboxImage) {
  test::LocalRegistry registry;
  test::TempDir context;
  fs::copy_file(test::static_busybox(), context.path() / "busybox");
  context.write(
      "busybox.dockerfile",
      "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"
      "ENV PATH=/bin\nCMD [\"sh\"]\n");
  const std::string local = uniqueId("hangar-engine-bb-");
  const std::string remote = registry.host() + "/engine/bb:v1";
  request.contextDir = context.path();
  request.registry = registry.host();

  auto build = step("build", config::StepKind::Build);
  build.build = "-t " + local + " -t " + remote + " . -f busybox.dockerfile";  // docker's order, on purpose
  auto write = step("write", config::StepKind::Cmd);
  write.cmd = local + " sh -c 'echo \"hello from $STEP_NAME\" > out.txt; pwd'";
  write.env = {"STEP_NAME=write"};
  auto read = step("read", config::StepKind::Cmd);
  read.cmd = local + " cat /workspace/out.txt";
  auto push = step("push", config::StepKind::Push);
  push.push = {remote};
  request.task.steps = {build, write, read, push};

  const fs::path workspaceFile = request.workRoot / request.runId / "workspace" / "out.txt";
  std::string seenInWorkspace;
  log.onInfo = [&](std::string_view line) {
    if (line.starts_with("Step ID: write marked as successful"))
      seenInWorkspace = test::read_file(workspaceFile);
  };
  const auto started = Clock::now();
  const auto record = run();
  test::run_command(buildah({"rmi", local}));

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error << "\n" << log.text();
  EXPECT_LT(Clock::now() - started, std::chrono::minutes(3));
  EXPECT_EQ(seenInWorkspace, "hello from write\n");
  EXPECT_EQ(log.outputOf("write"), "/workspace\n");
  EXPECT_EQ(log.outputOf("read"), "hello from write\n");
  EXPECT_FALSE(fs::exists(context.path() / "out.txt"));  // the user's folder is untouched
  ASSERT_EQ(record.outputImages.size(), 1u);
  EXPECT_EQ(record.outputImages[0].registry, registry.host());
  EXPECT_EQ(record.outputImages[0].repository, "engine/bb");
  EXPECT_EQ(record.outputImages[0].tag, "v1");
  EXPECT_EQ(record.outputImages[0].digest, registry.manifest_digest("engine/bb", "v1"));
  EXPECT_THAT(containerNames(), Not(HasSubstr("hangar-" + request.runId)));
  EXPECT_FALSE(fs::exists(request.workRoot / request.runId));
}

TEST_F(TaskRunBuildahTest, CacheEnabledPushesTheLayerCacheToTheRegistry) {
  test::LocalRegistry registry;
  test::TempDir context;
  fs::copy_file(test::static_busybox(), context.path() / "busybox");
  const std::string marker = uniqueId("cache-");
  context.write("Dockerfile",
                "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo " +
                    marker + " > /marker\"]\n");
  request.contextDir = context.path();
  request.registry = registry.host();
  auto build = step("build", config::StepKind::Build);
  build.build = "-t " + registry.host() + "/engine/cached:" + marker + " .";
  build.cache = true;
  request.task.steps = {build};

  const auto record = run();
  test::remove_local_images(registry.host() + "/");

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error << "\n" << log.text();
  // One cache image per layer step (COPY, RUN), in the repository named after the image, task and step.
  EXPECT_THAT(registry.catalog(), ::testing::Contains("engine/cached/cache_quickrun_build")) << log.text();
  EXPECT_GE(registry.tags("engine/cached/cache_quickrun_build").size(), 2u) << log.text();
}

TEST_F(TaskRunBuildahTest, ATimedOutStepIsKilledAndItsContainerRemoved) {
  const std::string image = test::build_busybox_image(test::busybox_base_image());
  auto sleeper = step("sleeper", config::StepKind::Cmd);
  sleeper.cmd = image + " sh -c 'echo started; sleep 60; : " + request.runId + "'";
  sleeper.timeout = 20;  // room for `buildah from` and `buildah run` to start on a busy machine
  request.task.steps = {sleeper};

  const auto started = Clock::now();
  const auto record = run();
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(50));  // the shell would sleep 60 s
  EXPECT_EQ(record.status, RunStatus::Failed);
  EXPECT_EQ(record.steps[0].error, "step sleeper exceeded its timeout of 20 s");
  EXPECT_THAT(log.outputOf("sleeper"), ::testing::StartsWith("started\n"));
  EXPECT_THAT(containerNames(), Not(HasSubstr("hangar-" + request.runId)));
  const auto left = test::run_command({"pgrep", "-f", ": " + request.runId});
  EXPECT_EQ(left.exit_code, 1) << "the step's shell still runs: " << left.describe();
}

TEST_F(TaskRunBuildahTest, ADetachedServerIsReachableByItsStepIdUntilTheRunEnds) {
  const std::string image = test::build_busybox_image(test::busybox_base_image());
  const int port = test::pick_free_loopback_port();
  const std::string url = "http://web:" + std::to_string(port) + "/";
  auto web = step("web", config::StepKind::Cmd);
  web.cmd = image +
            " sh -c 'mkdir -p /www && echo served-by-web > /www/index.html && exec httpd -f -p 127.0.0.1:" +
            std::to_string(port) + " -h /www'";
  web.detach = true;
  auto client = step("client", config::StepKind::Cmd);
  // The server may need a moment to listen: retry for up to 20 s.
  client.cmd =
      image + " sh -c 'for i in $(seq 100); do wget -q -O - " + url + " && exit 0; sleep 0.2; done; exit 1'";
  request.task.steps = {web, client};

  const auto record = run();
  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error << "\n" << log.text();
  EXPECT_EQ(log.outputOf("client"), "served-by-web\n");
  EXPECT_THAT(containerNames(), Not(HasSubstr("hangar-" + request.runId)));
  // The server was stopped with the run: nothing listens on its port any more.
  EXPECT_THROW(test::http_request("GET", "http://127.0.0.1:" + std::to_string(port) + "/", {},
                                  std::chrono::seconds(2)),
               std::runtime_error);
}

TEST_F(TaskRunBuildahTest, ParallelStepsShareTheWorkspaceWhileBothRun) {
  const std::string image = test::build_busybox_image(test::busybox_base_image());
  // Each step writes its file, then waits (up to 60 s) for the other's: only overlapping steps pass.
  auto waiter = [&](const std::string& id, const std::string& mine, const std::string& theirs) {
    auto s = step(id, config::StepKind::Cmd);
    s.cmd = image + " sh -c 'touch " + mine + "; for i in $(seq 600); do [ -f " + theirs + " ] && echo saw " +
            theirs + " && exit 0; sleep 0.1; done; exit 1'";
    s.when = {"-"};
    return s;
  };
  request.task.steps = {waiter("left", "left.ready", "right.ready"),
                        waiter("right", "right.ready", "left.ready")};
  const auto record = run();
  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error << "\n" << log.text();
  EXPECT_EQ(log.outputOf("left"), "saw right.ready\n");
  EXPECT_EQ(log.outputOf("right"), "saw left.ready\n");
  EXPECT_THAT(containerNames(), Not(HasSubstr("hangar-" + request.runId)));
}

TEST_F(TaskRunBuildahTest, ABuildRecordsItsBaseImageWithTheRegistrysDigest) {
  test::LocalRegistry registry;
  const std::string base = registry.host() + "/deps/base:1";
  // A base image of its own, gone from local storage once pushed: the build pulls it, so buildah
  // stores it with the registry's digest (an image already stored locally keeps its first digest).
  auto spec = test::busybox_base_image();
  spec.name = "deps-base";
  spec.env.push_back("HANGAR_DEPS_TEST=" + uniqueId("base-"));
  const std::string built = test::build_busybox_image(spec);
  const std::string digest = test::push_image(built, base);
  test::run_checked(buildah({"rmi", built}));
  test::TempDir context;
  context.write("Dockerfile", "ARG BASE=nothing\nFROM ${BASE}\nENV BUILT=1\n");
  request.contextDir = context.path();
  request.registry = registry.host();
  const std::string local = uniqueId("hangar-deps-");
  auto build = step("build", config::StepKind::Build);
  build.build = "-t " + local + " --build-arg BASE=" + base + " .";
  request.task.steps = {build};

  const auto record = run();
  test::run_command(buildah({"rmi", local}));
  test::remove_local_images(registry.host() + "/");
  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error << "\n" << log.text();
  ASSERT_EQ(record.dependencies.size(), 1u);
  EXPECT_EQ(record.dependencies[0].image, local);
  EXPECT_EQ(record.dependencies[0].runtime.registry, registry.host());
  EXPECT_EQ(record.dependencies[0].runtime.repository, "deps/base");
  EXPECT_EQ(record.dependencies[0].runtime.tag, "1");
  EXPECT_EQ(record.dependencies[0].runtime.digest, digest);
  EXPECT_THAT(log.text(), HasSubstr("The following dependencies were found:"));
}

TEST_F(TaskRunBuildahTest, MirroredImagesArePulledFromTheMirrorOverPlainHttp) {
  test::LocalRegistry registry;
  test::push_stand_ins({{"hello-world:latest", test::hello_world_image()}}, registry.host() + "/mcr");
  request.mirrors = {{"mcr.microsoft.com", registry.host() + "/mcr"}};
  auto hello = step("hello", config::StepKind::Cmd);
  hello.cmd = "mcr.microsoft.com/hello-world";
  hello.pull = true;  // never a stale local copy: this must come through the mirror
  request.task.steps = {hello};

  const auto record = run();
  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error << "\n" << log.text();
  EXPECT_THAT(log.outputOf("hello"), HasSubstr("Hello from Docker!"));
}

}  // namespace
}  // namespace hangar::runner
