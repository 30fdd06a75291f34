// Conformance, task-format.md §6 examples 9-11: samples that run containers of the stand-in images: the
// alias images, a Docker Hub image, a detached server reached by its step id, files kept across steps.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "tests/conformance/conformance_fixture.hpp"
#include "tests/conformance/log_lines.hpp"
#include "tests/conformance/step_times.hpp"
#include "tests/support/busybox_image.hpp"

namespace hangar::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using ContainerSample = ConformanceTest;

TEST_F(ContainerSample, HelloWorldRunsTheMcrImageWithoutArguments) {
  const auto run = run_sample("hello-world.yaml");

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  EXPECT_THAT(run.log(), HasSubstr("Hello from Docker!"));
}

TEST_F(ContainerSample, BashEchoRunsTheAliasImage) {
  const auto run = run_sample("bash-echo.yaml");

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  EXPECT_TRUE(line_ending_with(run.log(), "hello world")) << run.describe();
}

TEST_F(ContainerSample, BashEcho3RunsDockerHubBash30) {
  // bash:3.0 is not the alias: it comes from Docker Hub, here its mirror in the loopback registry.
  push_docker_hub_stand_ins();
  const auto run = run_sample("bash-echo-3.yaml");

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  EXPECT_TRUE(line_ending_with(run.log(), "hello world")) << run.describe();
}

TEST_F(ContainerSample, NetworkCurlReachesTheDetachedServerByItsStepId) {
  const auto run = run_sample("network-curl.yaml");

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  EXPECT_EQ(run.step("nginx").at("status"), "Successful") << run.describe();
  EXPECT_EQ(run.step("acb_step_1").at("status"), "Successful") << run.describe();
  EXPECT_THAT(run.log(), HasSubstr("Welcome to nginx!"));
  // The detached step succeeds as soon as its server starts: it finishes before curl starts.
  EXPECT_TRUE(
      finished_before_start(StepInterval::of(run.step("nginx")), StepInterval::of(run.step("acb_step_1"))))
      << run.describe();
  // Cleanup removed the server's container (named in the log; the name is unique on this machine).
  std::smatch name;
  ASSERT_TRUE(std::regex_search(run.log(), name, std::regex("Launching container with name: (\\S+-nginx)")))
      << run.describe();
  const auto containers = run_checked([] {
    auto argv = buildah_command();
    argv.insert(argv.end(), {"containers", "--all", "--format", "{{.ContainerName}}"});
    return argv;
  }());
  EXPECT_THAT(containers.out, Not(HasSubstr(name[1].str()))) << containers.out;
}

TEST_F(ContainerSample, FilesWorkingDirectoryKeepsHelloTxtAcrossSteps) {
  const auto run = run_sample("files-working-directory.yaml");

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  for (const char* id : {"write-file", "read-file", "list-workspace-files"})
    EXPECT_EQ(run.step(id).at("status"), "Successful") << id << "\n" << run.describe();
  // `$(date)` ran in the container: read-file printed a date (hh:mm:ss), not the literal text.
  EXPECT_TRUE(std::regex_search(run.log(), std::regex("[0-9]{2}:[0-9]{2}:[0-9]{2} [A-Z]+ [0-9]{4}")))
      << "no date printed by read-file\n"
      << run.describe();
  EXPECT_THAT(line_containing(run.log(), "hello.txt"), Not(::testing::IsEmpty())) << run.describe();
  EXPECT_THAT(line_containing(run.log(), "No such file"), ::testing::IsEmpty()) << run.describe();
}

}  // namespace
}  // namespace hangar::test
