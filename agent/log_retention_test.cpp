#include "agent/log_retention.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Writes logs/ID.log of `bytes` bytes, last written `age` before `now`.
void writeLog(const test::TempDir& dir, const std::string& id, std::size_t bytes,
              std::chrono::system_clock::time_point written) {
  fs::path file = dir.write("logs/" + id + ".log", std::string(bytes, 'x'));
  fs::last_write_time(file, fs::file_time_type::clock::from_sys(written));
}

TEST(LogRetention, RemovesLogsOlderThanTheDaysButNeverALiveRunsLog) {
  test::TempDir dir;
  auto now = std::chrono::system_clock::now();
  writeLog(dir, "old", 10, now - 31 * 24h);
  writeLog(dir, "oldrunning", 10, now - 40 * 24h);
  writeLog(dir, "recent", 10, now - 29 * 24h);
  dir.write("logs/notes.txt", "not a run log");
  fs::last_write_time(dir.path() / "logs/notes.txt", fs::file_time_type::clock::from_sys(now - 100 * 24h));
  auto report = applyLogRetention(dir.path() / "logs", {30, 2048}, now, {"oldrunning"});
  EXPECT_EQ(report.removedForAge, 1u);
  EXPECT_EQ(report.removedForSize, 0u);
  EXPECT_FALSE(fs::exists(dir.path() / "logs/old.log"));
  EXPECT_TRUE(fs::exists(dir.path() / "logs/oldrunning.log"));
  EXPECT_TRUE(fs::exists(dir.path() / "logs/recent.log"));
  EXPECT_TRUE(fs::exists(dir.path() / "logs/notes.txt"));
}

TEST(LogRetention, RemovesTheOldestUntilTheTotalFitsTheSize) {
  test::TempDir dir;
  auto now = std::chrono::system_clock::now();
  const std::size_t half = 512 * 1024;
  writeLog(dir, "a", half, now - 5h);  // oldest
  writeLog(dir, "b", half, now - 4h);
  writeLog(dir, "live", half, now - 6h);  // older still, but running
  writeLog(dir, "c", half, now - 3h);
  writeLog(dir, "d", half, now - 1h);
  // 2.5 MiB in all, 1 MiB allowed: a, b and c go; live stays though it is the oldest.
  auto report = applyLogRetention(dir.path() / "logs", {30, 1}, now, {"live"});
  EXPECT_EQ(report.removedForSize, 3u);
  EXPECT_EQ(report.bytesRemoved, 3 * half);
  EXPECT_EQ(report.bytesKept, 2 * half);
  EXPECT_FALSE(fs::exists(dir.path() / "logs/a.log"));
  EXPECT_FALSE(fs::exists(dir.path() / "logs/b.log"));
  EXPECT_FALSE(fs::exists(dir.path() / "logs/c.log"));
  EXPECT_TRUE(fs::exists(dir.path() / "logs/d.log"));
  EXPECT_TRUE(fs::exists(dir.path() / "logs/live.log"));
}

TEST(LogRetention, AMissingLogsFolderIsNothingToDo) {
  test::TempDir dir;
  auto report = applyLogRetention(dir.path() / "nope", {30, 1}, std::chrono::system_clock::now(), {});
  EXPECT_EQ(report.removedForAge + report.removedForSize, 0u);
}

}  // namespace
}  // namespace hangar::agent
