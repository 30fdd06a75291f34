#include "agent/run_history.hpp"

#include <gtest/gtest.h>

#include "agent/run_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

TEST(RunHistory, RecordsARunOnceRunAndUpdatesItToItsEnd) {
  test::TempDir dir;
  runner::RunRecord record;
  record.id = "ab01";
  record.status = runner::RunStatus::Running;
  record.startTime = std::chrono::system_clock::now();
  ASSERT_TRUE(recordRunOnceRun(dir.path(), record));
  record.status = runner::RunStatus::Succeeded;
  record.finishTime = std::chrono::system_clock::now();
  ASSERT_TRUE(recordRunOnceRun(dir.path(), record));
  RunStore store(dir.path() / "runs.db");
  auto stored = store.get("ab01");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->record.status, runner::RunStatus::Succeeded);
  EXPECT_EQ(stored->trigger, "manual");
  EXPECT_FALSE(stored->task);
  EXPECT_EQ(store.list().size(), 1u);
}

TEST(RunHistory, AnUnwritableStateDirIsReportedNotThrown) {
  test::TempDir dir;
  dir.write("file", "x");
  runner::RunRecord record;
  record.id = "ab02";
  std::string error;
  EXPECT_FALSE(recordRunOnceRun(dir.path() / "file" / "sub", record, &error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace hangar::agent
