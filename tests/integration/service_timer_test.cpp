// End to end: cron timers of the real service, with time controlled through the test clock
// (HANGAR_TEST_CLOCK_FILE, a test-only seam): once per minute, recorded, catch-up after downtime.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/run_store.hpp"
#include "tests/integration/service_test_helper.hpp"

namespace hangar::test {
namespace {

using ::testing::HasSubstr;
constexpr auto kWait = std::chrono::minutes(2);

// Timer runs of task `tick`, oldest first. The task file is missing, so each run fails fast: the
// firing and its run are what count here.
std::vector<nlohmann::json> timerRuns(const TestAgent& agent) {
  std::vector<nlohmann::json> result;
  for (const auto& run : agent.runs(1000))
    if (run["trigger"] == "timer") result.insert(result.begin(), run);
  return result;
}

std::string tickTask(const TestAgent& agent, const std::string& catchup) {
  return "tasks:\n  - name: tick\n    file: missing.yaml\n    context: " + agent.dir().path().string() +
         "\n    catchup: " + catchup + "\n    timers:\n      - {name: minutely, schedule: \"* * * * *\"}\n";
}

bool settled(const TestAgent& agent, std::size_t count) {
  auto runs = timerRuns(agent);
  if (runs.size() != count) return false;
  for (const auto& run : runs)
    if (run["status"] != "Failed") return false;
  return true;
}

TEST(ServiceTimerTest, AMinutelyTimerFiresOncePerMinuteAndCatchesUpOnceAfterDowntime) {
  TestAgent agent;
  agent.writeConfig(tickTask(agent, "latest"));
  agent.setClock("2026-03-01T10:00:30Z");
  agent.startService(true);
  agent.setClock("2026-03-01T10:01:05Z");
  ASSERT_TRUE(waitUntil([&] { return settled(agent, 1); }, kWait))
      << agent.read_file_or_empty(agent.serviceLog());
  agent.setClock("2026-03-01T10:01:50Z");  // same minute: no second firing
  agent.setClock("2026-03-01T10:02:01Z");
  ASSERT_TRUE(waitUntil([&] { return settled(agent, 2); }, kWait));
  EXPECT_EQ(timerRuns(agent).size(), 2u);

  agent.signalService(SIGTERM);
  ASSERT_EQ(agent.waitService(), 0);
  agent.setClock("2026-03-01T10:30:20Z");  // 28 occurrences missed while down
  agent.startService(true);
  ASSERT_TRUE(waitUntil([&] { return settled(agent, 3); }, kWait));
  agent.setClock("2026-03-01T10:31:00Z");
  ASSERT_TRUE(waitUntil([&] { return settled(agent, 4); }, kWait));
  EXPECT_EQ(timerRuns(agent).size(), 4u) << "one catch-up run for the whole downtime, then one per minute";

  // A restart within the same minute does not fire that minute again (the firing is in the store).
  agent.signalService(SIGTERM);
  ASSERT_EQ(agent.waitService(), 0);
  agent.startService(true);
  agent.setClock("2026-03-01T10:32:00Z");
  ASSERT_TRUE(waitUntil([&] { return settled(agent, 5); }, kWait));
  EXPECT_EQ(timerRuns(agent).size(), 5u);
  auto log = agent.read_file_or_empty(agent.serviceLog());
  EXPECT_THAT(log, HasSubstr("timer minutely fired for 2026-03-01T10:01:00.000Z"));
  EXPECT_THAT(log, HasSubstr("timer minutely fired for 2026-03-01T10:30:00.000Z"));
}

TEST(ServiceTimerTest, CatchupNoneSkipsTheDowntime) {
  TestAgent agent;
  agent.writeConfig(tickTask(agent, "none"));
  agent.setClock("2026-03-01T10:00:30Z");
  agent.startService(true);
  agent.setClock("2026-03-01T10:01:05Z");
  ASSERT_TRUE(waitUntil([&] { return settled(agent, 1); }, kWait));
  agent.signalService(SIGTERM);
  ASSERT_EQ(agent.waitService(), 0);
  agent.setClock("2026-03-01T10:30:20Z");
  agent.startService(true);
  agent.setClock("2026-03-01T10:31:00Z");
  ASSERT_TRUE(waitUntil([&] { return timerRuns(agent).size() >= 2; }, kWait));
  ASSERT_TRUE(waitUntil([&] { return settled(agent, 2); }, kWait));
  EXPECT_THAT(agent.read_file_or_empty(agent.serviceLog()),
              ::testing::Not(HasSubstr("fired for 2026-03-01T10:30:00.000Z")));
}

// The `wait` task (blocks until released) on a minutely timer with `concurrency`.
std::string blockingTimerTasks(const TestAgent& agent, const std::string& concurrency) {
  return standardTasks(agent, "    concurrency: " + concurrency +
                                  "\n    timers:\n      - {name: minutely, schedule: \"* * * * *\"}\n");
}

TEST(ServiceTimerTest, ConcurrencyForbidSkipsAFiringWhileThePreviousRunIsGoing) {
  TestAgent agent;
  agent.writeConfig(blockingTimerTasks(agent, "forbid"));
  agent.setClock("2026-03-01T10:00:30Z");
  agent.startService(true);
  agent.setClock("2026-03-01T10:01:05Z");
  ASSERT_TRUE(waitUntil(
      [&] { return timerRuns(agent).size() == 1 && timerRuns(agent)[0]["status"] == "Running"; }, kWait))
      << agent.read_file_or_empty(agent.serviceLog());
  agent.setClock("2026-03-01T10:02:05Z");
  ASSERT_TRUE(waitUntil(
      [&] {
        return agent.read_file_or_empty(agent.serviceLog()).find("(concurrency: forbid)") !=
               std::string::npos;
      },
      kWait));
  EXPECT_EQ(timerRuns(agent).size(), 1u);
  // The skipped firing is recorded (never fired again) but names no run id without a run.
  EXPECT_TRUE(agent::RunStore(agent.stateDir() / "runs.db").timerFiringsWithoutRun().empty());
  const std::string id = timerRuns(agent)[0]["id"];
  std::ofstream(agent.workspace(id) / "go") << "go\n";
  ASSERT_TRUE(waitUntil([&] { return agent.status(id) == "Succeeded"; }, kWait));
}

TEST(ServiceTimerTest, ConcurrencyReplaceCancelsThePreviousRun) {
  TestAgent agent;
  agent.writeConfig(blockingTimerTasks(agent, "replace"));
  agent.setClock("2026-03-01T10:00:30Z");
  agent.startService(true);
  agent.setClock("2026-03-01T10:01:05Z");
  ASSERT_TRUE(waitUntil(
      [&] { return timerRuns(agent).size() == 1 && timerRuns(agent)[0]["status"] == "Running"; }, kWait))
      << agent.read_file_or_empty(agent.serviceLog());
  const std::string first = timerRuns(agent)[0]["id"];
  agent.setClock("2026-03-01T10:02:05Z");
  ASSERT_TRUE(
      waitUntil([&] { return agent.status(first) == "Canceled" && timerRuns(agent).size() == 2; }, kWait))
      << agent.read_file_or_empty(agent.serviceLog());
  const std::string second = timerRuns(agent)[1]["id"];
  ASSERT_TRUE(waitUntil([&] { return agent.status(second) == "Running"; }, kWait));
  agent.signalService(SIGQUIT);  // stop at once: the second run is queued again, no process left
  EXPECT_EQ(agent.waitService(), 0);
  EXPECT_EQ(agent.status(second), "Queued");
  EXPECT_EQ(run_command({"pgrep", "-f", waitMarker(agent, second)}).exit_code, 1);
}

TEST(ServiceTimerTest, TaskShowAndListGiveTheNextFireTime) {
  TestAgent agent;
  agent.writeConfig(tickTask(agent, "latest") +
                    "  - name: nightly\n    cmd: busybox true\n    timers:\n      - {name: night, schedule: "
                    "\"0 2 * * *\"}\n"
                    "      - {name: late, schedule: \"0 3 * * *\", jitter: 600}\n");
  agent.setClock("2026-03-01T10:00:30Z");
  CommandOptions options;
  options.env["HANGAR_TEST_CLOCK_FILE"] = agent.clockFile().string();
  auto result = agent.hangar({"task", "show", "nightly", "--output", "json"}, options);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["timers"][0]["next"], "2026-03-02T02:00:00.000Z");
  EXPECT_EQ(json["timers"][0]["occurrence"], "2026-03-02T02:00:00.000Z");
  // With jitter, `next` is when this host fires it: the occurrence plus up to 600 s.
  EXPECT_EQ(json["timers"][1]["occurrence"], "2026-03-02T03:00:00.000Z");
  EXPECT_EQ(json["timers"][1]["jitter"], 600);
  const std::string late = json["timers"][1]["next"];
  EXPECT_GE(late, "2026-03-02T03:00:00.000Z");
  EXPECT_LE(late, "2026-03-02T03:10:00.000Z");
  result = agent.hangar({"task", "show", "nightly"}, options);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.out, HasSubstr("late \"0 3 * * *\" next: " + late +
                                    " (occurrence 2026-03-02T03:00:00.000Z + jitter, up to 600 s)"));
  result = agent.hangar({"task", "list"}, options);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.out, HasSubstr("2026-03-01T10:01:00.000Z"));
  EXPECT_THAT(result.out, HasSubstr("nightly"));
  result = agent.hangar({"task", "show", "nope"}, options);
  EXPECT_EQ(result.exit_code, 2);
}

}  // namespace
}  // namespace hangar::test
