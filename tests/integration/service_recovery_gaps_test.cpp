// End to end: the narrow windows of a crash while a run is being queued, and git contexts of tasks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/run_store.hpp"
#include "agent/spool_queue.hpp"
#include "tests/integration/service_test_helper.hpp"

namespace hangar::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
constexpr auto kWait = std::chrono::minutes(2);

TEST(ServiceRecoveryGapsTest, ARequestQueuedWithoutItsRowRunsAndGetsOneRow) {
  TestAgent agent;
  agent.writeConfig(standardTasks(agent));
  {  // What `hangar enqueue` leaves when it dies between writing the request and storing the row.
    agent::SpoolQueue queue(agent.stateDir() / "queue");
    agent::RunRequestMessage message;
    message.runId = "gap1";
    message.task = "hello";
    queue.enqueue(message);
  }
  agent.startService();
  ASSERT_TRUE(waitUntil([&] { return agent.status("gap1") == "Succeeded"; }, kWait))
      << agent.read_file_or_empty(agent.serviceLog());
  auto runs = agent.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["task"], "hello");
  EXPECT_THAT(agent.log("gap1"), HasSubstr("hello-from-service"));
}

TEST(ServiceRecoveryGapsTest, ATimerFiringRecordedButNeverQueuedIsQueuedAtStartOnce) {
  TestAgent agent;
  agent.writeConfig(standardTasks(agent) +
                    "    timers:\n      - {name: minutely, schedule: \"* * * * *\"}\n");
  {  // What the service leaves when it dies between recording a firing and queueing its run.
    agent::RunStore store(agent.stateDir() / "runs.db");
    ASSERT_TRUE(
        store.recordTimerFiring("hello", "minutely", *runner::parseTime("2026-03-01T10:00:00Z"), "gap2"));
  }
  agent.setClock("2026-03-01T10:00:30Z");  // the next occurrence (10:01) has not come
  agent.startService(true);
  ASSERT_TRUE(waitUntil([&] { return agent.status("gap2") == "Succeeded"; }, kWait))
      << agent.read_file_or_empty(agent.serviceLog());
  EXPECT_EQ(agent.runs().size(), 1u);
  EXPECT_EQ(agent.runs()[0]["trigger"], "timer");
  // A restart does not queue it again.
  agent.signalService(SIGTERM);
  ASSERT_EQ(agent.waitService(kWait), 0);
  agent.startService(true);
  EXPECT_FALSE(waitUntil([&] { return agent.runs().size() > 1; }, std::chrono::seconds(3)));
}

TEST(ServiceRecoveryGapsTest, ATaskWithAGitContextFetchesItPerRun) {
  TestAgent agent;
  const fs::path work = agent.dir().path() / "repo-work";
  fs::create_directories(work);
  std::ofstream(work / "acb.yaml") << "version: v1.1.0\nsteps:\n  - cmd: " << serviceTestImage()
                                   << " cat message.txt\n";
  std::ofstream(work / "message.txt") << "from-the-git-context-v1\n";
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(),
                {"git", "-C", work.string(), "-c", "user.name=t", "-c", "user.email=t@example.com"});
    auto result = run_command(args);
    ASSERT_EQ(result.exit_code, 0) << result.describe();
  };
  git({"init", "-q", "-b", "main"});
  git({"add", "."});
  git({"commit", "-q", "-m", "one"});
  agent.writeConfig("tasks:\n  - name: fromgit\n    file: acb.yaml\n    context: file://" + work.string() +
                    "#main\n");
  agent.startService();
  const std::string first = agent.enqueue("fromgit");
  ASSERT_TRUE(waitUntil([&] { return agent.status(first) == "Succeeded"; }, kWait))
      << agent.read_file_or_empty(agent.serviceLog()) << agent.log(first);
  EXPECT_THAT(agent.log(first), HasSubstr("from-the-git-context-v1"));
  // A new commit is seen by the next run.
  std::ofstream(work / "message.txt") << "from-the-git-context-v2\n";
  git({"commit", "-q", "-am", "two"});
  const std::string second = agent.enqueue("fromgit");
  ASSERT_TRUE(waitUntil([&] { return agent.status(second) == "Succeeded"; }, kWait))
      << agent.read_file_or_empty(agent.serviceLog()) << agent.log(second);
  EXPECT_THAT(agent.log(second), HasSubstr("from-the-git-context-v2"));
  // The fetched copies go with their runs.
  EXPECT_FALSE(fs::exists(agent.stateDir() / "contexts" / first));
  EXPECT_FALSE(fs::exists(agent.stateDir() / "contexts" / second));
}

}  // namespace
}  // namespace hangar::test
