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

TEST(RunHistory, RunOnceHistoryStoresTheRunningRunItsLogAndItsEnd) {
  test::TempDir dir;
  {
    RunOnceHistory history(dir.path(), "ab03");
    EXPECT_EQ(history.warning(), "");
    ASSERT_NE(history.log(), nullptr);
    history.log()->info("hello from run-once");
    RunStore store(dir.path() / "runs.db");
    ASSERT_TRUE(store.get("ab03"));
    EXPECT_EQ(store.get("ab03")->record.status, runner::RunStatus::Running);
    runner::RunRecord record;
    record.id = "ab03";
    record.status = runner::RunStatus::Failed;
    record.error = "step failed";
    EXPECT_EQ(history.finish(record), "");
    EXPECT_EQ(store.get("ab03")->record.status, runner::RunStatus::Failed);
    EXPECT_EQ(store.get("ab03")->record.error, "step failed");
  }
  EXPECT_NE(test::read_file(dir.path() / "logs/ab03.log").find("hello from run-once"), std::string::npos);
}

TEST(RunHistory, RunOnceHistoryWithoutAWritableStateDirHasNoLogAndSaysWhy) {
  test::TempDir dir;
  dir.write("file", "x");
  RunOnceHistory history(dir.path() / "file" / "sub", "ab04");
  EXPECT_EQ(history.log(), nullptr);
  EXPECT_NE(history.warning().find("not kept in the run store"), std::string::npos);
  runner::RunRecord record;
  record.id = "ab04";
  EXPECT_EQ(history.finish(record), "");  // said once, at the start
}

}  // namespace
}  // namespace hangar::agent
