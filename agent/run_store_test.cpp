#include "agent/run_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "agent/sqlite_database.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

using runner::RunStatus;
using runner::StepStatus;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

const TimePoint kBase = TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 3 / 1).time_since_epoch());

StoredRun makeRun(std::string id, std::optional<std::string> task, TimePoint created,
                  RunStatus status = RunStatus::Queued) {
  StoredRun run;
  run.record.id = std::move(id);
  run.record.status = status;
  run.task = std::move(task);
  run.trigger = "queue";
  run.createTime = created;
  run.agent = "vm-1";
  return run;
}

std::vector<std::string> ids(const std::vector<StoredRun>& runs) {
  std::vector<std::string> out;
  for (const auto& run : runs) out.push_back(run.record.id);
  return out;
}

/// A run with every field set; times are whole milliseconds, the record's JSON precision.
StoredRun fullRun() {
  StoredRun run = makeRun("ca1", "nightly-web", kBase + 123456789ns, RunStatus::Failed);
  run.trigger = "timer";
  run.record.startTime = kBase + 2s + 5ms;
  run.record.finishTime = kBase + 9s;
  run.record.error = "step build failed: exit status 1";
  runner::StepRecord build{"build", StepStatus::Failed, 1, kBase + 3s, kBase + 8s, "exit status 1"};
  runner::StepRecord push{"push", StepStatus::Skipped, std::nullopt, std::nullopt, std::nullopt, ""};
  run.record.steps = {build, push};
  run.record.outputImages = {{"127.0.0.1:5000", "web", "ca1", "sha256:aaaa"}};
  run.record.dependencies = {{"127.0.0.1:5000/web:ca1",
                              {"docker.io", "library/alpine", "3.19", "sha256:bbbb"},
                              {{"mcr", "x", "1", "sha256:c"}}}};
  return run;
}

TEST(RunStore, RoundTripsEveryField) {
  test::TempDir dir;
  RunStore store(dir.path() / "state" / "runs.db");  // the folder is created
  const StoredRun run = fullRun();
  store.insert(run);
  StoredRun adHoc = makeRun("ca2", std::nullopt, kBase);
  store.insert(adHoc);

  const auto got = store.get("ca1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->toJson(), run.toJson());
  EXPECT_EQ(got->createTime, run.createTime);  // exact, below the millisecond
  EXPECT_EQ(got->task, "nightly-web");
  EXPECT_EQ(got->trigger, "timer");
  EXPECT_EQ(got->agent, "vm-1");
  ASSERT_EQ(got->record.steps.size(), 2u);
  EXPECT_EQ(got->record.steps[0].exitCode, 1);
  EXPECT_EQ(got->record.outputImages.at(0).digest, "sha256:aaaa");
  EXPECT_EQ(got->record.dependencies.at(0).runtime.repository, "library/alpine");

  EXPECT_EQ(store.get("ca2")->task, std::nullopt);
  EXPECT_EQ(store.get("nope"), std::nullopt);
}

TEST(RunStore, InsertRefusesADuplicateAndUpdateNeedsAnExistingRun) {
  test::TempDir dir;
  RunStore store(dir.path() / "runs.db");
  store.insert(makeRun("a1", "t", kBase));
  EXPECT_THROW(
      {
        try {
          store.insert(makeRun("a1", "other", kBase));
        } catch (const std::invalid_argument& e) {
          EXPECT_THAT(e.what(), HasSubstr("run a1 already exists"));
          throw;
        }
      },
      std::invalid_argument);
  EXPECT_EQ(store.get("a1")->task, "t");  // unchanged
  EXPECT_THROW(store.update(makeRun("zz", "t", kBase)), std::invalid_argument);
}

TEST(RunStore, UpdateFollowsTheRunThroughItsStates) {
  test::TempDir dir;
  RunStore store(dir.path() / "runs.db");
  StoredRun run = makeRun("a1", "t", kBase);
  store.insert(run);
  EXPECT_THAT(ids(store.runsInState(RunStatus::Queued)), ElementsAre("a1"));

  run.record.status = RunStatus::Running;
  run.record.startTime = kBase + 1s;
  store.update(run);
  EXPECT_TRUE(store.runsInState(RunStatus::Queued).empty());
  EXPECT_THAT(ids(store.runsInState(RunStatus::Running)), ElementsAre("a1"));

  run.record.status = RunStatus::Succeeded;
  run.record.finishTime = kBase + 5s;
  run.record.steps = {{"s", StepStatus::Successful, 0, kBase + 1s, kBase + 5s, ""}};
  store.update(run);
  const auto got = store.get("a1");
  EXPECT_EQ(got->record.status, RunStatus::Succeeded);
  EXPECT_EQ(got->record.finishTime, kBase + 5s);
  EXPECT_EQ(got->record.steps.size(), 1u);
  EXPECT_THAT(ids(store.list({RunStatus::Succeeded, std::nullopt, std::nullopt})), ElementsAre("a1"));
}

TEST(RunStore, ListFiltersAndPutsTheNewestFirst) {
  test::TempDir dir;
  RunStore store(dir.path() / "runs.db");
  // Inserted out of creation order; the same createTime keeps insertion order.
  store.insert(makeRun("r3", "web", kBase + 3s, RunStatus::Failed));
  store.insert(makeRun("r1", "web", kBase + 1s, RunStatus::Succeeded));
  store.insert(makeRun("r4", "api", kBase + 4s, RunStatus::Succeeded));
  store.insert(makeRun("r2", std::nullopt, kBase + 2s, RunStatus::Succeeded));
  store.insert(makeRun("r5", "web", kBase + 4s, RunStatus::Succeeded));

  EXPECT_THAT(ids(store.list()), ElementsAre("r5", "r4", "r3", "r2", "r1"));
  EXPECT_THAT(ids(store.list({std::nullopt, std::nullopt, 2})), ElementsAre("r5", "r4"));
  EXPECT_THAT(ids(store.list({std::nullopt, "web", std::nullopt})), ElementsAre("r5", "r3", "r1"));
  EXPECT_THAT(ids(store.list({RunStatus::Succeeded, std::nullopt, std::nullopt})),
              ElementsAre("r5", "r4", "r2", "r1"));
  EXPECT_THAT(ids(store.list({RunStatus::Succeeded, "web", 1})), ElementsAre("r5"));
  EXPECT_TRUE(store.list({RunStatus::Timeout, std::nullopt, std::nullopt}).empty());
  EXPECT_TRUE(store.list({std::nullopt, std::nullopt, 0}).empty());
  EXPECT_THAT(ids(store.runsInState(RunStatus::Succeeded)),
              ElementsAre("r1", "r2", "r4", "r5"));  // oldest first
}

TEST(RunStore, ATimerFiringIsRecordedOnce) {
  test::TempDir dir;
  RunStore store(dir.path() / "runs.db");
  EXPECT_EQ(store.lastTimerFiring("web", "nightly"), std::nullopt);
  EXPECT_TRUE(store.recordTimerFiring("web", "nightly", kBase, "r1"));
  EXPECT_FALSE(store.recordTimerFiring("web", "nightly", kBase, "r2"));  // the same firing again
  EXPECT_TRUE(store.recordTimerFiring("web", "hourly", kBase, "r3"));    // another timer
  EXPECT_TRUE(store.recordTimerFiring("api", "nightly", kBase, "r4"));   // another task
  EXPECT_TRUE(store.recordTimerFiring("web", "nightly", kBase + 24h, "r5"));
  EXPECT_TRUE(store.recordTimerFiring("web", "nightly", kBase - 24h, "r6"));  // an older one, late
  EXPECT_EQ(store.lastTimerFiring("web", "nightly"), kBase + 24h);
  EXPECT_EQ(store.lastTimerFiring("web", "hourly"), kBase);
  EXPECT_EQ(store.lastTimerFiring("web", "other"), std::nullopt);
}

TEST(RunStore, ReopeningKeepsTheData) {
  test::TempDir dir;
  const auto file = dir.path() / "runs.db";
  {
    RunStore store(file);
    store.insert(fullRun());
    store.recordTimerFiring("web", "nightly", kBase, "ca1");
  }
  RunStore again(file);
  ASSERT_TRUE(again.get("ca1"));
  EXPECT_EQ(again.get("ca1")->toJson(), fullRun().toJson());
  EXPECT_FALSE(again.recordTimerFiring("web", "nightly", kBase, "other"));
}

TEST(RunStore, UsesWalAndAVersionedSchema) {
  test::TempDir dir;
  const auto file = dir.path() / "runs.db";
  RunStore store(file);
  SqliteDatabase raw(file);
  SqliteStatement mode(raw, "PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
  SqliteStatement version(raw, "PRAGMA user_version");
  ASSERT_TRUE(version.step());
  EXPECT_EQ(version.integer(0), RunStore::kSchemaVersion);
}

TEST(RunStore, RefusesANewerSchema) {
  test::TempDir dir;
  const auto file = dir.path() / "runs.db";
  { RunStore store(file); }
  {
    SqliteDatabase raw(file);
    raw.execute("PRAGMA user_version = 7");
  }
  try {
    RunStore store(file);
    FAIL() << "opened a newer schema";
  } catch (const SqliteError& e) {
    EXPECT_THAT(e.what(), HasSubstr("schema version 7, newer than this hangar understands (1)"));
  }
}

TEST(RunStore, AnUnreadableRecordNamesTheRun) {
  test::TempDir dir;
  const auto file = dir.path() / "runs.db";
  RunStore store(file);
  store.insert(makeRun("bad1", "t", kBase));
  {
    SqliteDatabase raw(file);
    raw.execute("UPDATE runs SET record = '{\"id\": \"bad1\", \"status\": \"Done\"}' WHERE id = 'bad1'");
  }
  try {
    store.get("bad1");
    FAIL() << "no error";
  } catch (const SqliteError& e) {
    EXPECT_THAT(e.what(), HasSubstr("run bad1: the stored record cannot be read"));
    EXPECT_THAT(e.what(), HasSubstr("unknown run status 'Done'"));
  }
}

TEST(RunStore, TwoStoresOnOneFileBothWrite) {
  test::TempDir dir;
  const auto file = dir.path() / "runs.db";
  RunStore first(file);
  RunStore second(file);
  constexpr int kEach = 200;
  auto writer = [&](RunStore& store, const std::string& prefix) {
    for (int i = 0; i < kEach; ++i) {
      StoredRun run = makeRun(prefix + std::to_string(i), prefix, kBase + std::chrono::seconds(i));
      store.insert(run);
      run.record.status = RunStatus::Succeeded;
      store.update(run);
      store.recordTimerFiring("shared", "t", kBase + std::chrono::minutes(i), run.record.id);
    }
  };
  std::thread a(writer, std::ref(first), "a");
  std::thread b(writer, std::ref(second), "b");
  a.join();
  b.join();
  EXPECT_EQ(first.list().size(), 2u * kEach);
  EXPECT_EQ(second.list({RunStatus::Succeeded, "a", std::nullopt}).size(), size_t{kEach});
  EXPECT_EQ(first.list({RunStatus::Succeeded, "b", std::nullopt}).size(), size_t{kEach});
  EXPECT_EQ(second.lastTimerFiring("shared", "t"), kBase + std::chrono::minutes(kEach - 1));
}

TEST(RunStore, TwoProcessesShareOneFile) {
  test::TempDir dir;
  const auto file = dir.path() / "runs.db";
  constexpr int kEach = 150;
  // Both processes try to record the same timer firings; each firing must be won exactly once.
  auto work = [&](const std::string& prefix, int& won) {
    RunStore store(file);
    for (int i = 0; i < kEach; ++i) {
      const std::string id = prefix + std::to_string(i);
      store.insert(makeRun(id, prefix, kBase + std::chrono::seconds(i)));
      if (store.recordTimerFiring("web", "nightly", kBase + std::chrono::minutes(i), id)) ++won;
    }
  };
  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    int won = 0;
    try {
      work("child", won);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: %s\n", e.what());
      _exit(255);
    }
    _exit(won);  // fits: at most kEach < 255
  }
  int parentWon = 0;
  work("parent", parentWon);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_NE(WEXITSTATUS(status), 255) << "the child process failed";
  EXPECT_EQ(parentWon + WEXITSTATUS(status), kEach);

  RunStore store(file);
  EXPECT_EQ(store.list({std::nullopt, "child", std::nullopt}).size(), size_t{kEach});
  EXPECT_EQ(store.list({std::nullopt, "parent", std::nullopt}).size(), size_t{kEach});
}

TEST(StoredRun, JsonHasTheShapeOfRunsOutputJson) {
  const StoredRun run = fullRun();
  const nlohmann::json json = run.toJson();
  for (const char* key : {"id", "status", "steps", "outputImages", "dependencies", "error", "startTime",
                          "finishTime", "task", "trigger", "createTime", "agent"})
    EXPECT_TRUE(json.contains(key)) << key;
  EXPECT_EQ(json["task"], "nightly-web");
  EXPECT_EQ(json["trigger"], "timer");
  EXPECT_EQ(json["createTime"], "2026-03-01T00:00:00.123Z");
  EXPECT_EQ(json["status"], "Failed");
  EXPECT_TRUE(makeRun("x", std::nullopt, kBase).toJson()["task"].is_null());

  const StoredRun back = StoredRun::fromJson(json);
  EXPECT_EQ(back.toJson(), json);
  EXPECT_EQ(back.createTime, kBase + 123ms);  // the JSON keeps milliseconds

  nlohmann::json missing = json;
  missing.erase("createTime");
  EXPECT_THROW(StoredRun::fromJson(missing), std::invalid_argument);
  nlohmann::json badTask = json;
  badTask["task"] = 5;
  EXPECT_THROW(StoredRun::fromJson(badTask), std::invalid_argument);
  EXPECT_THROW(StoredRun::fromJson(nlohmann::json::array()), std::invalid_argument);
}

}  // namespace
}  // namespace hangar::agent
