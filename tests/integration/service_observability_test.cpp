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
constexpr auto kWait = std::chrono::minutes(2);

void setFreeMiB(const TestAgent& agent, int mib) {
  fs::path file = agent.dir().path() / "free-mib";
  std::ofstream(file.string() + ".tmp") << mib << "\n";
  fs::rename(file.string() + ".tmp", file);
}

TEST(ServiceObservabilityTest, MetricsHealthAndTheDiskGuardPausingAndResumingClaims) {
  TestAgent agent;
  const std::string base = "http://127.0.0.1:" + std::to_string(pick_free_loopback_port());
  agent.writeConfig(standardTasks(agent), 2,
                    "metrics: {listen: " + base.substr(7) + "}\ndiskGuard: {minFreeMB: 100}\n");
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
  fs::create_directories(agent.stateDir() / "logs");
  std::ofstream(agent.stateDir() / "logs" / "old1.log") << "an old log\n";
  std::ofstream(agent.stateDir() / "logs" / "new1.log") << "a recent log\n";
  fs::last_write_time(agent.stateDir() / "logs" / "old1.log",
                      fs::file_time_type::clock::now() - std::chrono::hours(24 * 31));
  agent.startService();
  ASSERT_TRUE(waitUntil([&] { return !fs::exists(agent.stateDir() / "logs" / "old1.log"); }, kWait));
  EXPECT_TRUE(fs::exists(agent.stateDir() / "logs" / "new1.log"));
  ASSERT_TRUE(waitUntil(
      [&] {
        return agent.read_file_or_empty(agent.serviceLog()).find("log retention: removed 1") !=
               std::string::npos;
      },
      kWait));
}

}  // namespace
}  // namespace hangar::test
