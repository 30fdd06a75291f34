// runTask with real buildah and secrets: env values holding a secret never reach any argv, secret
// volumes are mounted read-only only into the steps naming them.
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "runner/task_run.hpp"
#include "runner/task_run_buildah_test_helper.hpp"
#include "tests/support/stand_in_images.hpp"

namespace hangar::runner {
namespace {

namespace fs = std::filesystem;
using namespace buildah_test;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

/// Every process's argv, NUL separators turned into spaces.
std::vector<std::string> allCommandLines() {
  std::vector<std::string> lines;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::replace(line.begin(), line.end(), '\0', ' ');
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

class TaskRunBuildahSecretsTest : public ::testing::Test {
 protected:
  TaskRunBuildahSecretsTest() {
    request.runId = uniqueId("rs");
    request.workRoot = root.path() / "runs";
    request.dockerConfig = root.path() / "no-config.json";
  }
  RunRecord run() { return runTask(request, *launcher, log, {}); }

  test::TempDir root;
  RunRequest request;
  std::unique_ptr<ProcessLauncher> launcher = makeSystemProcessLauncher();
  CollectingLog log;
};

TEST_F(TaskRunBuildahSecretsTest, EnvValuesHoldingASecretNeverAppearOnAnyArgv) {
  const std::string image = test::build_busybox_image(test::busybox_base_image());
  const std::string secret = "s3cret-" + uniqueId("value-");
  const std::string marker = "waiting-" + request.runId;
  request.secretValues = {secret};
  auto waiter = step("waiter", config::StepKind::Cmd);
  // Runs until the test has looked at every process while it ran.
  waiter.cmd =
      image +
      " sh -c 'while [ ! -f /workspace/go ]; do sleep 0.1; done; echo \"$TOKEN|$PLAIN\"; : " + marker + "'";
  waiter.env = {"TOKEN=Bearer " + secret, "PLAIN=visible"};
  request.task.steps = {waiter};

  std::vector<std::string> leaks;
  bool sawStep = false, sawBuildahRun = false;
  std::thread sampler([&] {
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    while (Clock::now() < deadline && !sawStep) {
      for (const auto& line : allCommandLines()) {
        if (line.find(secret) != std::string::npos) leaks.push_back(line);
        if (line.find(marker) != std::string::npos && line.find("buildah") == std::string::npos)
          sawStep = true;
        if (line.find("buildah") != std::string::npos && line.find(" run ") != std::string::npos &&
            line.find(request.runId) != std::string::npos)
          sawBuildahRun = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling, not synchronisation
    }
    // The step's shell runs: sample once more with everything up, then let it finish.
    for (const auto& line : allCommandLines())
      if (line.find(secret) != std::string::npos) leaks.push_back(line);
    const fs::path go = request.workRoot / request.runId / "workspace" / "go";
    if (fs::is_directory(go.parent_path())) std::ofstream(go) << "go\n";
  });
  const auto record = run();
  sampler.join();

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error << "\n" << log.text();
  EXPECT_TRUE(sawStep);
  EXPECT_TRUE(sawBuildahRun);
  EXPECT_THAT(leaks, ::testing::IsEmpty());
  EXPECT_EQ(log.outputOf("waiter"), "Bearer " + secret + "|visible\n");  // it did reach the container
  EXPECT_THAT(log.text(), Not(HasSubstr(secret)));
}

TEST_F(TaskRunBuildahSecretsTest, SecretVolumesAreReadOnlyAndOnlyInTheStepsNamingThem) {
  const std::string image = test::build_busybox_image(test::busybox_base_image());
  config::VolumeSpec volume;
  volume.name = "creds";
  volume.secret = {{"token", "YSRiYGNcRU9MCg=="}};  // "a$b`c\EOL\n": no shell touches it
  request.task.volumes = {volume};
  auto reader = step("reader", config::StepKind::Cmd);
  reader.cmd =
      image + " sh -c 'cat /run/test/token; echo x > /run/test/token && echo WRITABLE; ls /workspace'";
  reader.volumeMounts = {{"creds", "/run/test"}};
  auto other = step("other", config::StepKind::Cmd);
  other.cmd = image + " sh -c 'test -e /run/test/token && echo VISIBLE || echo absent'";
  request.task.steps = {reader, other};

  const auto record = run();
  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error << "\n" << log.text();
  EXPECT_THAT(log.outputOf("reader"), ::testing::StartsWith("a$b`c\\EOL\n"));
  EXPECT_THAT(log.outputOf("reader"), Not(HasSubstr("WRITABLE")));
  EXPECT_THAT(log.outputOf("reader"), Not(HasSubstr("creds")));  // nothing of it in the workspace
  EXPECT_EQ(log.outputOf("other"), "absent\n");
  EXPECT_FALSE(fs::exists(request.workRoot / request.runId));
}

}  // namespace
}  // namespace hangar::runner
