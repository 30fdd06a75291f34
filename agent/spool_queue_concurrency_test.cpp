// Concurrency and waiting of the spool queue: many writers, competing claimers in threads and
// processes, and inotify wake-ups.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <set>
#include <thread>

#include "agent/spool_queue.hpp"
#include "agent/spool_queue_test_helper.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

using testing::entries;
using ::testing::IsEmpty;
using testing::request;
using namespace std::chrono_literals;

/// Claims and completes requests until `done` says stop or the deadline passes; returns the run ids.
std::vector<std::string> drain(SpoolQueue& queue, const std::function<bool()>& done,
                               std::chrono::steady_clock::time_point deadline) {
  std::vector<std::string> ids;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    if (auto claim = queue.claim()) {
      ids.push_back(claim->message.runId);
      queue.complete(*claim);
    } else {
      queue.waitForWork(50ms, {});
    }
  }
  return ids;
}

TEST(SpoolQueueConcurrency, AThousandRequestsFromFourThreadsAreEachClaimedOnce) {
  test::TempDir dir;
  constexpr int kWriters = 4, kEach = 250, kTotal = kWriters * kEach;
  SpoolQueue claimerA(dir.path());
  SpoolQueue claimerB(dir.path());  // a second object, as a second agent process would have
  std::atomic<bool> finished{false};
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  auto done = [&] { return finished.load(); };

  std::vector<std::string> byA, byB;
  std::thread a([&] { byA = drain(claimerA, done, deadline); });
  std::thread b([&] { byB = drain(claimerB, done, deadline); });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      SpoolQueue writer(dir.path());
      for (int i = 0; i < kEach; ++i)
        writer.enqueue(request("w" + std::to_string(w) + "n" + std::to_string(i)));
    });
  }
  for (auto& writer : writers) writer.join();
  // Everything is written. A claim moves a file from incoming/ to claimed/ in one rename, so once
  // both are empty every request has been claimed and completed.
  SpoolQueue observer(dir.path());
  while (std::chrono::steady_clock::now() < deadline &&
         (observer.depth() > 0 || !entries(dir.path() / "claimed").empty()))
    std::this_thread::sleep_for(10ms);  // polling a condition, with a deadline
  finished = true;
  a.join();
  b.join();

  std::multiset<std::string> all(byA.begin(), byA.end());
  all.insert(byB.begin(), byB.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kTotal));
  std::set<std::string> unique(all.begin(), all.end());
  EXPECT_EQ(unique.size(), static_cast<size_t>(kTotal)) << "a request was claimed twice";
  for (int w = 0; w < kWriters; ++w)
    for (int i = 0; i < kEach; ++i)
      EXPECT_TRUE(unique.count("w" + std::to_string(w) + "n" + std::to_string(i))) << w << "/" << i;
  EXPECT_THAT(entries(dir.path() / "incoming"), IsEmpty());
  EXPECT_THAT(entries(dir.path() / "claimed"), IsEmpty());
  EXPECT_THAT(entries(dir.path() / "tmp"), IsEmpty());
}

TEST(SpoolQueueConcurrency, TwoProcessesNeverClaimTheSameRequest) {
  test::TempDir dir;
  constexpr int kTotal = 400;
  {
    SpoolQueue writer(dir.path());
    for (int i = 0; i < kTotal; ++i) writer.enqueue(request("p" + std::to_string(i)));
  }
  const auto childList = dir.path() / "child-claims.txt";
  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    int code = 0;
    try {
      SpoolQueue queue(dir.path());
      std::ofstream out(childList);
      while (auto claim = queue.claim()) {
        out << claim->message.runId << "\n";
        queue.complete(*claim);
      }
      out.close();
      code = out ? 0 : 2;
    } catch (...) {
      code = 1;
    }
    _exit(code);
  }
  std::vector<std::string> mine;
  {
    SpoolQueue queue(dir.path());
    while (auto claim = queue.claim()) {
      mine.push_back(claim->message.runId);
      queue.complete(*claim);
    }
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child failed";

  std::multiset<std::string> all(mine.begin(), mine.end());
  std::ifstream in(childList);
  for (std::string id; std::getline(in, id);) all.insert(id);
  EXPECT_EQ(all.size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), static_cast<size_t>(kTotal));
  EXPECT_THAT(entries(dir.path() / "claimed"), IsEmpty());
}

double cpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

TEST(SpoolQueueWait, TimesOutWithoutBusyPolling) {
  test::TempDir dir;
  SpoolQueue queue(dir.path());
  const double cpuBefore = cpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(queue.waitForWork(300ms, {}));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 5s);
  EXPECT_LT(cpuSeconds() - cpuBefore, 0.05) << "waiting burnt CPU";
}

TEST(SpoolQueueWait, ReturnsAtOnceWhenWorkWaits) {
  test::TempDir dir;
  SpoolQueue queue(dir.path());
  queue.enqueue(request("x1"));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(queue.waitForWork(60s, {}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(SpoolQueueWait, WakesWhenAnotherProcessEnqueues) {
  test::TempDir dir;
  SpoolQueue waiter(dir.path());
  std::atomic<bool> woke{false};
  const auto start = std::chrono::steady_clock::now();
  std::thread waiting([&] { woke = waiter.waitForWork(60s, {}); });
  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    try {
      SpoolQueue(dir.path()).enqueue(request("y1"));
    } catch (...) {
      _exit(1);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  waiting.join();
  EXPECT_TRUE(woke);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
  EXPECT_EQ(waiter.claim()->message.runId, "y1");
}

TEST(SpoolQueueWait, WakesForAFileWrittenStraightIntoIncoming) {
  test::TempDir dir;
  SpoolQueue waiter(dir.path());
  const auto start = std::chrono::steady_clock::now();
  std::thread writer(
      [&] { dir.write("incoming/00000000000000000001-z1.json", request("z1").toJson().dump()); });
  EXPECT_TRUE(waiter.waitForWork(60s, {}));
  writer.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
}

TEST(SpoolQueueWait, AStopRequestEndsTheWait) {
  test::TempDir dir;
  SpoolQueue queue(dir.path());
  std::stop_source stopped;
  stopped.request_stop();
  EXPECT_FALSE(queue.waitForWork(60s, stopped.get_token()));

  std::stop_source source;
  const auto start = std::chrono::steady_clock::now();
  std::thread waiting([&] { EXPECT_FALSE(queue.waitForWork(60s, source.get_token())); });
  source.request_stop();
  waiting.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
  // The object stays usable: a later wait still times out normally and sees new work.
  EXPECT_FALSE(queue.waitForWork(10ms, {}));
  queue.enqueue(request("s1"));
  EXPECT_TRUE(queue.waitForWork(60s, {}));
}

}  // namespace
}  // namespace hangar::agent
