// End to end: the service's /metrics and /healthz endpoint, the disk guard (free space through the
// test-only HANGAR_TEST_FREE_SPACE_FILE seam) and log retention at start-up.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/service_test_helper.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/http_client.hpp"

namespace hangar::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
constexpr auto kWait = std::chrono::minutes(2);

void setFreeMiB(const TestAgent& agent, int mib) {
  fs::path file = agent.dir().path() / "free-mib";
  std::ofstream(file.string() + ".tmp") << mib << "\n";
  fs::rename(file.string() + ".tmp", file);
}

// An engine binary for the service: buildah for everything but the disk guard's `rmi --prune`, which
// only records that it ran (buildah's storage is shared by the whole suite: never prune it in a test) and,
// with `freeMiBAfter`, makes that much space free.
std::string pruneRecordingEngine(const TestAgent& agent, std::optional<int> freeMiBAfter) {
  fs::path script = agent.dir().path() / "engine";
  fs::path freeFile = agent.dir().path() / "free-mib";
  std::ofstream(script) << "#!/bin/sh\n"
                        << "case \" $* \" in *\" rmi --prune \"*)\n"
                        << "  echo \"$@\" >> " << (agent.dir().path() / "prunes").string() << "\n"
                        << (freeMiBAfter
                                ? "  echo " + std::to_string(*freeMiBAfter) + " > " + freeFile.string() +
                                      ".tmp && mv " + freeFile.string() + ".tmp " + freeFile.string() + "\n"
                                : std::string())
                        << "  exit 0;;\nesac\nexec buildah \"$@\"\n";
  fs::permissions(script, fs::perms::owner_all);
  return "engine: {kind: buildah, binary: " + script.string() + "}\n";
}

TEST(ServiceObservabilityTest, MetricsHealthAndTheDiskGuardPausingAndResumingClaims) {
  TestAgent agent;
  const std::string base = "http://127.0.0.1:" + std::to_string(pick_free_loopback_port());
  agent.writeConfig(standardTasks(agent), 2,
                    "metrics: {listen: " + base.substr(7) + "}\ndiskGuard: {minFreeMB: 100}\n" +
                        pruneRecordingEngine(agent, std::nullopt));
  setFreeMiB(agent, 5000);
  agent.setServiceEnv("HANGAR_TEST_FREE_SPACE_FILE", (agent.dir().path() / "free-mib").string());
  agent.startService();

  auto health = http_request("GET", base + "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  const std::string first = agent.enqueue("hello");
  ASSERT_TRUE(waitUntil([&] { return agent.status(first) == "Succeeded"; }, kWait))
      << agent.read_file_or_empty(agent.serviceLog());
  auto metrics = http_request("GET", base + "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.headers["content-type"], HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(metrics.body, HasSubstr("hangar_runs{status=\"Succeeded\"} 1\n"));
  EXPECT_THAT(metrics.body, HasSubstr("hangar_runs{status=\"Failed\"} 0\n"));
  EXPECT_THAT(metrics.body, HasSubstr("hangar_queue_depth 0\n"));
  EXPECT_THAT(metrics.body, HasSubstr("hangar_slots 2\n"));
  EXPECT_THAT(metrics.body, HasSubstr("hangar_slots_busy 0\n"));
  EXPECT_THAT(metrics.body, HasSubstr("hangar_claims_paused 0\n"));
  EXPECT_THAT(metrics.body, HasSubstr("hangar_step_duration_seconds_count 1\n"));
  EXPECT_THAT(metrics.body, HasSubstr("hangar_disk_free_bytes{path=\"" + agent.stateDir().string() + "\"} " +
                                      std::to_string(5000ull * 1024 * 1024) + "\n"));

  // Below the threshold: no new claims, said in the log, /healthz and /metrics.
  setFreeMiB(agent, 50);
  ASSERT_TRUE(waitUntil([&] { return http_request("GET", base + "/healthz").status == 503; }, kWait));
  EXPECT_THAT(http_request("GET", base + "/healthz").body,
              HasSubstr("disk guard: no new runs are claimed: free space under " + agent.stateDir().string() +
                        " is 50 MiB, below the minimum of 100 MiB"));
  EXPECT_THAT(agent.read_file_or_empty(agent.serviceLog()), HasSubstr("no new runs are claimed"));
  // It pruned first (no run was going, so the engine too), and that freed nothing.
  EXPECT_THAT(agent.read_file_or_empty(agent.dir().path() / "prunes"), HasSubstr("rmi --prune"));
  EXPECT_THAT(agent.read_file_or_empty(agent.serviceLog()), HasSubstr("MiB after: still below the minimum"));
  const std::string held = agent.enqueue("hello");
  // Bounded wait for something that must not happen: the request stays queued.
  EXPECT_FALSE(waitUntil([&] { return agent.status(held) != "Queued"; }, std::chrono::seconds(4)));
  metrics = http_request("GET", base + "/metrics");
  EXPECT_THAT(metrics.body, HasSubstr("hangar_claims_paused 1\n"));
  EXPECT_THAT(metrics.body, HasSubstr("hangar_queue_depth 1\n"));
  EXPECT_THAT(metrics.body, HasSubstr("hangar_runs{status=\"Queued\"} 1\n"));

  // Room again: claims resume.
  setFreeMiB(agent, 5000);
  ASSERT_TRUE(waitUntil([&] { return agent.status(held) == "Succeeded"; }, kWait))
      << agent.read_file_or_empty(agent.serviceLog());
  EXPECT_EQ(http_request("GET", base + "/healthz").status, 200);
  EXPECT_THAT(agent.read_file_or_empty(agent.serviceLog()), HasSubstr("claiming resumes"));
  EXPECT_THAT(http_request("GET", base + "/metrics").body, HasSubstr("hangar_errors_total 1\n"));
}

TEST(ServiceObservabilityTest, TheDiskGuardPrunesWhatHangarLeftBeforePausingClaims) {
  TestAgent agent;
  const std::string base = "http://127.0.0.1:" + std::to_string(pick_free_loopback_port());
  agent.writeConfig(standardTasks(agent), 2,
                    "metrics: {listen: " + base.substr(7) + "}\ndiskGuard: {minFreeMB: 100}\n" +
                        pruneRecordingEngine(agent, 5000));
  setFreeMiB(agent, 5000);
  agent.setServiceEnv("HANGAR_TEST_FREE_SPACE_FILE", (agent.dir().path() / "free-mib").string());
  // A run that ended normally leaves nothing; these are what a crash or an old version left: a run
  // directory and a fetched context of an id the store does not know, two days old, and a fresh one.
  for (const std::string& id : {std::string("20260101-leftover"), std::string("20260101-recent")}) {
    agent.dir().write("state/runs/" + id + "/workspace/big", std::string(64 * 1024, 'x'));
    agent.dir().write("state/contexts/" + id + "/big", std::string(64 * 1024, 'x'));
  }
  for (const char* dir : {"runs", "contexts"})
    fs::last_write_time(agent.stateDir() / dir / "20260101-leftover",
                        fs::file_time_type::clock::now() - std::chrono::hours(48));
  agent.startService();
  const std::string first = agent.enqueue("hello");
  ASSERT_TRUE(waitUntil([&] { return agent.status(first) == "Succeeded"; }, kWait))
      << agent.read_file_or_empty(agent.serviceLog());

  // Low on space: the guard prunes (the fake engine prune frees enough) and never pauses claims.
  setFreeMiB(agent, 50);
  ASSERT_TRUE(waitUntil(
      [&] {
        return agent.read_file_or_empty(agent.serviceLog()).find("enough, claims go on") != std::string::npos;
      },
      kWait))
      << agent.read_file_or_empty(agent.serviceLog());
  const std::string log = agent.read_file_or_empty(agent.serviceLog());
  EXPECT_THAT(log, HasSubstr("pruning what Hangar can safely remove"));
  EXPECT_THAT(log, HasSubstr("removed 1 run directory and 1 fetched context of ended runs"));
  EXPECT_THAT(log, HasSubstr("rmi --prune: ok; lowest free space 50 MiB before, 5000 MiB after"));
  EXPECT_THAT(log, Not(HasSubstr("no new runs are claimed")));
  EXPECT_EQ(agent.read_file_or_empty(agent.dir().path() / "prunes"), "rmi --prune\n");
  EXPECT_FALSE(fs::exists(agent.stateDir() / "runs" / "20260101-leftover"));
  EXPECT_FALSE(fs::exists(agent.stateDir() / "contexts" / "20260101-leftover"));
  EXPECT_TRUE(fs::exists(agent.stateDir() / "runs" / "20260101-recent" / "workspace" / "big"));
  EXPECT_TRUE(fs::exists(agent.stateDir() / "contexts" / "20260101-recent" / "big"));
  EXPECT_EQ(http_request("GET", base + "/healthz").status, 200);
  EXPECT_THAT(http_request("GET", base + "/metrics").body, HasSubstr("hangar_claims_paused 0\n"));
  const std::string second = agent.enqueue("hello");
  ASSERT_TRUE(waitUntil([&] { return agent.status(second) == "Succeeded"; }, kWait))
      << agent.read_file_or_empty(agent.serviceLog());
}

TEST(ServiceObservabilityTest, WithoutMetricsConfiguredNothingListens) {
  TestAgent agent;
  const int port = pick_free_loopback_port();
  agent.writeConfig(standardTasks(agent));
  agent.startService();
  EXPECT_THROW(http_request("GET", "http://127.0.0.1:" + std::to_string(port) + "/healthz"),
               std::runtime_error);
}

TEST(ServiceObservabilityTest, LogRetentionAtStartRemovesOldLogsAndKeepsTheRuns) {
  TestAgent agent;
  agent.writeConfig(standardTasks(agent), 2, "logRetention: {days: 30, maxSizeMB: 100}\n");
  // A finished run (recorded by run-once in the same state directory) whose log is 31 days old.
  CommandOptions options;
  options.timeout = std::chrono::minutes(3);
  auto once = run_hangar({"run-once", "--state-dir", agent.stateDir().string(), "--cmd",
                          serviceTestImage() + " echo aged-run", "--output", "json", "/dev/null"},
                         options);
  ASSERT_EQ(once.exit_code, 0) << once.describe();
  const std::string aged = nlohmann::json::parse(once.out)["id"];
  ASSERT_EQ(agent.hangar({"logs", aged}).exit_code, 0);
  fs::create_directories(agent.stateDir() / "logs");
  std::ofstream(agent.stateDir() / "logs" / "old1.log") << "an old log\n";
  std::ofstream(agent.stateDir() / "logs" / "new1.log") << "a recent log\n";
  for (const std::string& name : {std::string("old1.log"), aged + ".log"})
    fs::last_write_time(agent.stateDir() / "logs" / name,
                        fs::file_time_type::clock::now() - std::chrono::hours(24 * 31));
  agent.startService();
  ASSERT_TRUE(waitUntil([&] { return !fs::exists(agent.stateDir() / "logs" / "old1.log"); }, kWait));
  EXPECT_TRUE(fs::exists(agent.stateDir() / "logs" / "new1.log"));
  ASSERT_TRUE(waitUntil(
      [&] {
        return agent.read_file_or_empty(agent.serviceLog()).find("log retention: removed 2") !=
               std::string::npos;
      },
      kWait));
  // The run stays in the store; `hangar logs` says where its log went and fails, not prints nothing.
  EXPECT_EQ(agent.status(aged), "Succeeded");
  auto logs = agent.hangar({"logs", aged});
  EXPECT_EQ(logs.exit_code, 1) << logs.describe();
  EXPECT_EQ(logs.out, "");
  EXPECT_THAT(logs.err, HasSubstr("run '" + aged + "' (Succeeded) has no log any more"));
  EXPECT_THAT(logs.err, HasSubstr("removed by log retention (logRetention: days 30, maxSizeMB 100)"));
  EXPECT_EQ(agent.hangar({"logs", aged, "--follow"}).exit_code, 1);
}

}  // namespace
}  // namespace hangar::test
