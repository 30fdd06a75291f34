// End to end: the real `hangar run` service with enqueue, runs, logs and cancel, running cmd steps in a
// local busybox image with buildah.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/run_enqueue.hpp"
#include "agent/service_state.hpp"
#include "tests/integration/service_test_helper.hpp"

namespace hangar::test {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;
constexpr auto kRunTimeout = std::chrono::minutes(3);

TEST(ServiceRunTest, AnEnqueuedTaskSucceedsWithItsLogStored) {
  TestAgent agent;
  agent.writeConfig(standardTasks(agent));
  agent.startService();
  CommandOptions options;
  options.timeout = kRunTimeout;
  auto result = agent.hangar({"enqueue", "--task", "hello", "--wait"}, options);
  ASSERT_EQ(result.exit_code, 0) << result.describe() << agent.read_file_or_empty(agent.serviceLog());
  EXPECT_THAT(result.out, HasSubstr("hello-from-service"));

  auto runs = agent.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["status"], "Succeeded");
  EXPECT_EQ(runs[0]["task"], "hello");
  EXPECT_EQ(runs[0]["trigger"], "manual");
  EXPECT_FALSE(runs[0]["startTime"].is_null());
  const std::string id = runs[0]["id"];
  auto logs = agent.hangar({"logs", id});
  EXPECT_EQ(logs.exit_code, 0);
  EXPECT_THAT(logs.out, HasSubstr("hello-from-service"));
  EXPECT_EQ(logs.out, agent.log(id));

  // An ad-hoc task file with its context, and a task that fails: exit code 1, status Failed.
  agent.dir().write("adhoc/fail.yaml", "version: v1.1.0\nsteps:\n  - cmd: " + serviceTestImage() +
                                           " sh -c 'echo failing-on-purpose; exit 3'\n");
  result = agent.hangar({"enqueue", "-f", "fail.yaml", (agent.dir().path() / "adhoc").string(), "--wait"},
                        options);
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.out, HasSubstr("failing-on-purpose"));
  auto failed = agent.hangar({"runs", "--status", "Failed", "--output", "json"});
  ASSERT_EQ(failed.exit_code, 0);
  auto failedRuns = nlohmann::json::parse(failed.out);
  ASSERT_EQ(failedRuns.size(), 1u);
  EXPECT_TRUE(failedRuns[0]["task"].is_null());
  auto byTask = nlohmann::json::parse(agent.hangar({"runs", "--task", "hello", "--output", "json"}).out);
  EXPECT_EQ(byTask.size(), 1u);
}

TEST(ServiceRunTest, TwoSlotsRunTwoAtOnceAndAThirdWaits) {
  TestAgent agent;
  agent.writeConfig(standardTasks(agent), 2);
  agent.startService();
  std::vector<std::string> ids = {agent.enqueue("wait"), agent.enqueue("wait"), agent.enqueue("wait")};
  // Each step blocks until its `go` file exists: both logs saying "started" proves two ran at once.
  auto started = [&](const std::string& id) {
    return agent.log(id).find("started " + waitMarker(agent, id)) != std::string::npos;
  };
  ASSERT_TRUE(waitUntil([&] { return started(ids[0]) && started(ids[1]); }, kRunTimeout))
      << agent.read_file_or_empty(agent.serviceLog());
  EXPECT_EQ(agent.status(ids[0]), "Running");
  EXPECT_EQ(agent.status(ids[1]), "Running");
  EXPECT_EQ(agent.status(ids[2]), "Queued");  // both slots are taken and stay taken until released
  EXPECT_FALSE(started(ids[2]));

  std::ofstream(agent.workspace(ids[0]) / "go") << "go\n";
  ASSERT_TRUE(waitUntil([&] { return started(ids[2]); }, kRunTimeout))
      << agent.read_file_or_empty(agent.serviceLog());
  EXPECT_EQ(agent.status(ids[0]), "Succeeded");
  std::ofstream(agent.workspace(ids[1]) / "go") << "go\n";
  std::ofstream(agent.workspace(ids[2]) / "go") << "go\n";
  ASSERT_TRUE(
      waitUntil([&] { return agent.status(ids[1]) == "Succeeded" && agent.status(ids[2]) == "Succeeded"; },
                kRunTimeout));
  EXPECT_THAT(agent.log(ids[2]), HasSubstr("released"));
}

TEST(ServiceRunTest, CancelOfARunningRunLeavesNoProcessAndOfAQueuedOneRemovesIt) {
  TestAgent agent;
  agent.writeConfig(standardTasks(agent), 1);
  agent.startService();
  const std::string running = agent.enqueue("wait");
  const std::string queued = agent.enqueue("wait");
  ASSERT_TRUE(waitUntil([&] { return agent.log(running).find("started") != std::string::npos; }, kRunTimeout))
      << agent.read_file_or_empty(agent.serviceLog());

  auto result = agent.hangar({"cancel", queued});
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_EQ(agent.status(queued), "Canceled");

  result = agent.hangar({"cancel", running});
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_EQ(agent.status(running), "Canceled");
  auto left = run_command({"pgrep", "-f", waitMarker(agent, running)});
  EXPECT_EQ(left.exit_code, 1) << "the canceled step still runs: " << left.describe();
  EXPECT_FALSE(fs::exists(agent.stateDir() / "cancel" / running));
  // A finished run cannot be canceled.
  result = agent.hangar({"cancel", running});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("ended already"));
}

TEST(ServiceRunTest, AMalformedRequestBecomesAFailedRunWithTheReason) {
  TestAgent agent;
  agent.writeConfig(standardTasks(agent));
  agent.startService();
  fs::path incoming = agent.stateDir() / "queue" / "incoming";
  std::ofstream(agent.stateDir() / "queue" / "tmp" / "bad") << "{not json";
  fs::rename(agent.stateDir() / "queue" / "tmp" / "bad", incoming / "00000000000000000001-zz9.json");
  ASSERT_TRUE(waitUntil([&] { return agent.status("zz9") == "Failed"; }, kRunTimeout))
      << agent.read_file_or_empty(agent.serviceLog());
  auto runs = agent.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_THAT(runs[0]["error"].get<std::string>(), HasSubstr("malformed run request"));
  EXPECT_TRUE(fs::exists(agent.stateDir() / "queue" / "poison" / "00000000000000000001-zz9.json"));
  // It never ran, so it has no log: `hangar logs` says so (and why it failed) instead of printing nothing.
  auto logs = agent.hangar({"logs", "zz9"});
  EXPECT_EQ(logs.exit_code, 1) << logs.describe();
  EXPECT_THAT(logs.err,
              HasSubstr("run 'zz9' (Failed) never started, so it has no log: malformed run request"));
}

TEST(ServiceRunTest, AThousandEnqueuedRequestsAllEndInTheStore) {
  TestAgent agent;
  // The task file does not exist: each run fails fast, before any container, and is recorded.
  agent.writeConfig(
      "tasks:\n  - name: cheap\n    file: missing.yaml\n    context: " + agent.dir().path().string() + "\n",
      4);
  {
    agent::ServiceState state = agent::openServiceState(agent.configFile());
    for (int i = 0; i < 1000; ++i) {
      agent::RunRequestMessage message;
      message.task = "cheap";
      agent::enqueueRun(state, message);
    }
  }
  agent.startService();
  agent::ServiceState state = agent::openServiceState(agent.configFile());
  ASSERT_TRUE(waitUntil(
      [&] {
        return state.store->list({runner::RunStatus::Failed, std::nullopt, std::nullopt}).size() == 1000;
      },
      std::chrono::minutes(4)))
      << state.store->list({runner::RunStatus::Failed, std::nullopt, std::nullopt}).size()
      << " of 1000 failed";
  EXPECT_EQ(state.store->list().size(), 1000u);
  EXPECT_EQ(state.queue->depth(), 0u);
  auto one = state.store->list({std::nullopt, std::nullopt, 1});
  EXPECT_THAT(one[0].record.error, HasSubstr("missing.yaml"));
  agent.signalService(SIGTERM);
  EXPECT_EQ(agent.waitService(), 0);
}

}  // namespace
}  // namespace hangar::test
