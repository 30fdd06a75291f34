// `hangar run-once` keeps its runs in the run store of its state directory: `hangar runs` and
// `hangar logs` (of the service's configuration with that state directory) show them, masked.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/service_test_helper.hpp"

namespace hangar::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ServiceRunOnceHistoryTest, RunOnceRunsAreListedWithTheirMaskedLog) {
  TestAgent agent;
  agent.writeConfig("tasks: []\n");
  agent.dir().write("ctx/acb.yaml", "version: v1.1.0\nsteps:\n  - id: greet\n    cmd: " + serviceTestImage() +
                                        " echo once-{{.Values.greeting}}-{{.Values.token}}\n");
  CommandOptions options;
  options.timeout = std::chrono::minutes(3);
  auto result = run_hangar(
      {"run-once", "--state-dir", agent.stateDir().string(), "-f", "acb.yaml", "--set", "greeting=hi",
       "--set-secret", "token=hunter2-s3cret", "--output", "json", (agent.dir().path() / "ctx").string()},
      options);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const std::string id = nlohmann::json::parse(result.out)["id"];

  auto runs = agent.runs();
  ASSERT_EQ(runs.size(), 1u) << runs.dump(2);
  EXPECT_EQ(runs[0]["id"], id);
  EXPECT_EQ(runs[0]["status"], "Succeeded");
  EXPECT_EQ(runs[0]["trigger"], "manual");
  EXPECT_TRUE(runs[0]["task"].is_null());
  EXPECT_FALSE(runs[0]["startTime"].is_null());
  EXPECT_FALSE(runs[0]["finishTime"].is_null());
  ASSERT_EQ(runs[0]["steps"].size(), 1u);
  EXPECT_EQ(runs[0]["steps"][0]["status"], "Successful");

  auto logs = agent.hangar({"logs", id});
  ASSERT_EQ(logs.exit_code, 0) << logs.describe();
  EXPECT_THAT(logs.out, HasSubstr("once-hi-***"));
  EXPECT_THAT(logs.out, Not(HasSubstr("hunter2")));
  EXPECT_THAT(agent.runs(1).dump(), Not(HasSubstr("hunter2")));

  // A failing run-once run is stored Failed.
  auto failed = run_hangar({"run-once", "--state-dir", agent.stateDir().string(), "--cmd",
                            serviceTestImage() + " sh -c 'exit 3'", "--output", "json", "/dev/null"},
                           options);
  ASSERT_EQ(failed.exit_code, 1) << failed.describe();
  const std::string failedId = nlohmann::json::parse(failed.out)["id"];
  EXPECT_EQ(agent.status(failedId), "Failed");
}

TEST(ServiceRunOnceHistoryTest, AnUnwritableStateDirOnlyLosesTheHistory) {
  TestAgent agent;
  std::filesystem::create_directories(agent.stateDir());
  // runs.db is a directory: the store cannot open, the run still goes.
  std::filesystem::create_directories(agent.stateDir() / "runs.db");
  CommandOptions options;
  options.timeout = std::chrono::minutes(3);
  auto result = run_hangar({"run-once", "--state-dir", agent.stateDir().string(), "--cmd",
                            serviceTestImage() + " echo still-runs", "/dev/null"},
                           options);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.out, HasSubstr("still-runs"));
  EXPECT_THAT(result.err, HasSubstr("not kept in the run store"));
}

}  // namespace
}  // namespace hangar::test
