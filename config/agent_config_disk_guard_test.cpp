// agent.yaml `diskGuard:` and timer `jitter:` (Hangar extensions of agent-config.md).
#include <gtest/gtest.h>

#include "config/agent_config.hpp"
#include "config/agent_config_test_helper.hpp"

namespace hangar::config {
namespace {

using testing::failsAt;
using testing::parseAgent;
using testing::validAgent;

TEST(AgentConfigDiskGuard, DefaultsToOneGibibyteUnderTheStateDirectory) {
  const AgentConfig config = validAgent("slots: 1\n");
  EXPECT_EQ(config.diskGuard.minFreeMB, 1024);
  EXPECT_TRUE(config.diskGuard.paths.empty());
}

TEST(AgentConfigDiskGuard, ReadsTheThresholdAndExtraPaths) {
  const AgentConfig config =
      validAgent("diskGuard: {minFreeMB: 0, paths: [/var/lib/containers/storage, /srv/cache]}\n");
  EXPECT_EQ(config.diskGuard.minFreeMB, 0);
  ASSERT_EQ(config.diskGuard.paths.size(), 2u);
  EXPECT_EQ(config.diskGuard.paths[0], "/var/lib/containers/storage");
}

TEST(AgentConfigDiskGuard, ARelativePathAndAnUnknownKeyAreErrors) {
  EXPECT_TRUE(failsAt(parseAgent("diskGuard:\n  paths: [storage]\n"), 2, 11, "must be absolute"));
  EXPECT_TRUE(failsAt(parseAgent("diskGuard:\n  minFree: 3\n"), 2, 3, "minFree"));
  EXPECT_TRUE(failsAt(parseAgent("diskGuard:\n  minFreeMB: -1\n"), 2, 14, "must be from 0"));
}

TEST(AgentConfigDiskGuard, TimerJitterIsOptionalSeconds) {
  const AgentConfig config = validAgent(R"(tasks:
  - name: web
    cmd: busybox true
    timers:
      - {name: nightly, schedule: "0 2 * * *", jitter: 600}
      - {name: hourly, schedule: "0 * * * *"}
)");
  ASSERT_EQ(config.tasks[0].timers.size(), 2u);
  EXPECT_EQ(config.tasks[0].timers[0].jitter, 600);
  EXPECT_EQ(config.tasks[0].timers[1].jitter, 0);
  EXPECT_TRUE(failsAt(parseAgent(R"(tasks:
  - name: web
    cmd: busybox true
    timers:
      - {name: nightly, schedule: "0 2 * * *", jitter: 90000}
)"),
                      5, 56, "must be from 0 to 86400"));
}

}  // namespace
}  // namespace hangar::config
