// End to end: the service's lifetime: kill -9 and restart, SIGTERM drain, a second SIGTERM, SIGHUP reload.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/service_test_helper.hpp"

namespace hangar::test {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;
constexpr auto kRunTimeout = std::chrono::minutes(3);

bool logSays(const TestAgent& agent, const std::string& runId, const std::string& text) {
  return agent.log(runId).find(text) != std::string::npos;
}

TEST(ServiceLifecycleTest, AKilledServiceLosesNoRunAndNeverReportsItTwiceRunning) {
  TestAgent agent;
  agent.writeConfig(standardTasks(agent), 1);
  agent.startService();
  const std::string id = agent.enqueue("wait");
  ASSERT_TRUE(waitUntil([&] { return logSays(agent, id, "started"); }, kRunTimeout))
      << agent.read_file_or_empty(agent.serviceLog());
  agent.killService();  // kill -9: no chance to record anything
  EXPECT_EQ(agent.status(id), "Running");
  // The orphaned step would go on; end it as the machine's reboot would.
  run_command({"pkill", "-KILL", "-f", waitMarker(agent, id)});

  agent.startService();
  // Recovery: the run is queued again (then claimed and run once more); it is never lost, one row only.
  ASSERT_TRUE(waitUntil(
      [&] {
        return agent.read_file_or_empty(agent.serviceLog())
                   .find("run " + id + ": was running when the agent stopped") != std::string::npos;
      },
      kRunTimeout))
      << agent.read_file_or_empty(agent.serviceLog());
  ASSERT_TRUE(waitUntil(
      [&] {
        std::error_code error;
        if (fs::exists(agent.workspace(id), error)) std::ofstream(agent.workspace(id) / "go") << "go\n";
        std::string status = agent.status(id);
        return status == "Succeeded" || status == "Failed";
      },
      kRunTimeout))
      << agent.read_file_or_empty(agent.serviceLog());
  auto runs = agent.runs();
  EXPECT_EQ(runs.size(), 1u);
  auto running = agent.hangar({"runs", "--status", "Running", "--output", "json"});
  EXPECT_EQ(nlohmann::json::parse(running.out).size(), 0u);
}

TEST(ServiceLifecycleTest, SigtermDrainsLettingTheRunningRunFinishAndClaimingNothingNew) {
  TestAgent agent;
  agent.writeConfig(standardTasks(agent), 1);
  agent.startService();
  const std::string first = agent.enqueue("wait");
  ASSERT_TRUE(waitUntil([&] { return logSays(agent, first, "started"); }, kRunTimeout));
  agent.signalService(SIGTERM);
  ASSERT_TRUE(waitUntil(
      [&] { return agent.read_file_or_empty(agent.serviceLog()).find("draining") != std::string::npos; },
      std::chrono::seconds(30)));
  const std::string second = agent.enqueue("hello");
  std::ofstream(agent.workspace(first) / "go") << "go\n";
  EXPECT_EQ(agent.waitService(kRunTimeout), 0) << agent.read_file_or_empty(agent.serviceLog());
  EXPECT_EQ(agent.status(first), "Succeeded");
  EXPECT_EQ(agent.status(second), "Queued");  // not claimed while draining: it waits for the next start
}

TEST(ServiceLifecycleTest, AShutdownTimeoutStopsTheRunAndQueuesItAgain) {
  TestAgent agent;
  agent.writeConfig(standardTasks(agent), 1, "shutdownTimeout: 1\n");
  agent.startService();
  const std::string id = agent.enqueue("wait");
  ASSERT_TRUE(waitUntil([&] { return logSays(agent, id, "started"); }, kRunTimeout));
  agent.signalService(SIGTERM);
  EXPECT_EQ(agent.waitService(kRunTimeout), 0) << agent.read_file_or_empty(agent.serviceLog());
  EXPECT_EQ(agent.status(id), "Queued");
  auto left = run_command({"pgrep", "-f", waitMarker(agent, id)});
  EXPECT_EQ(left.exit_code, 1) << "the stopped step still runs: " << left.describe();
  // A shutdown is not the request's fault: it waits again with no attempt counted.
  std::vector<fs::path> waiting;
  for (const auto& entry : fs::directory_iterator(agent.stateDir() / "queue" / "incoming"))
    waiting.push_back(entry.path());
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(agent.read_file_or_empty(waiting[0]))["attempts"], 0);
  // The next start runs it again to its end.
  agent.startService();
  ASSERT_TRUE(waitUntil(
      [&] {
        std::error_code error;
        if (fs::exists(agent.workspace(id), error)) std::ofstream(agent.workspace(id) / "go") << "go\n";
        return agent.status(id) == "Succeeded";
      },
      kRunTimeout))
      << agent.read_file_or_empty(agent.serviceLog()) << agent.log(id);
}

TEST(ServiceLifecycleTest, ASecondSigtermStopsAtOnce) {
  TestAgent agent;
  agent.writeConfig(standardTasks(agent), 1);  // shutdownTimeout 600 s
  agent.startService();
  const std::string id = agent.enqueue("wait");
  ASSERT_TRUE(waitUntil([&] { return logSays(agent, id, "started"); }, kRunTimeout));
  agent.signalService(SIGTERM);
  ASSERT_TRUE(waitUntil(
      [&] { return agent.read_file_or_empty(agent.serviceLog()).find("draining") != std::string::npos; },
      std::chrono::seconds(30)));
  agent.signalService(SIGTERM);
  EXPECT_EQ(agent.waitService(std::chrono::seconds(60)), 0) << agent.read_file_or_empty(agent.serviceLog());
  EXPECT_EQ(agent.status(id), "Queued");
  auto left = run_command({"pgrep", "-f", waitMarker(agent, id)});
  EXPECT_EQ(left.exit_code, 1) << left.describe();
}

TEST(ServiceLifecycleTest, SighupWithABrokenFileKeepsTheOldConfiguration) {
  TestAgent agent;
  agent.writeConfig(standardTasks(agent));
  fs::copy_file(agent.configFile(), agent.dir().path() / "good.yaml");
  agent.startService();
  std::ofstream(agent.configFile()) << "stateDir: [unterminated\nslots: many\n";
  agent.signalService(SIGHUP);
  ASSERT_TRUE(waitUntil(
      [&] {
        return agent.read_file_or_empty(agent.serviceLog()).find("keeping the old configuration") !=
               std::string::npos;
      },
      std::chrono::seconds(30)))
      << agent.read_file_or_empty(agent.serviceLog());
  EXPECT_THAT(agent.read_file_or_empty(agent.serviceLog()), HasSubstr("agent.yaml:"));
  // Still the old tasks: `hello` runs (enqueued through the good copy, as the broken file cannot be read).
  CommandOptions options;
  options.timeout = kRunTimeout;
  auto result = run_hangar(
      {"enqueue", "--task", "hello", "--wait", "--config", (agent.dir().path() / "good.yaml").string()},
      options);
  EXPECT_EQ(result.exit_code, 0) << result.describe();

  // A good new file with a new task is taken.
  agent.writeConfig(standardTasks(agent) + "  - name: added\n    cmd: " + serviceTestImage() +
                    " echo added-task-ran\n");
  agent.signalService(SIGHUP);
  ASSERT_TRUE(waitUntil(
      [&] { return agent.read_file_or_empty(agent.serviceLog()).find("reloaded") != std::string::npos; },
      std::chrono::seconds(30)));
  result = agent.hangar({"enqueue", "--task", "added", "--wait"}, options);
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.out, HasSubstr("added-task-ran"));
}

TEST(ServiceLifecycleTest, ValidateConfigReportsFileLineColumn) {
  TestAgent agent;
  agent.writeConfig("tasks:\n  - name: x\n    cmd: busybox\n    bogus: 1\n");
  auto result = run_hangar({"validate", "--config", agent.configFile().string()});
  EXPECT_EQ(result.exit_code, 2) << result.describe();
  EXPECT_THAT(result.err, HasSubstr(agent.configFile().string() + ":6:"));
  agent.writeConfig("tasks:\n  - name: x\n    cmd: busybox\n");
  result = run_hangar({"validate", "--config", agent.configFile().string()});
  EXPECT_EQ(result.exit_code, 0) << result.describe();
}

}  // namespace
}  // namespace hangar::test
