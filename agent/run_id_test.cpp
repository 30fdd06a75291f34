#include "agent/run_id.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(FormatRunId, LengthMarkerThenBase36) {
  EXPECT_EQ(formatRunId("ca", 0), "ca00");
  EXPECT_EQ(formatRunId("ca", 1), "ca01");
  EXPECT_EQ(formatRunId("ca", 10), "ca0a");
  EXPECT_EQ(formatRunId("ca", 35), "ca0z");
  EXPECT_EQ(formatRunId("ca", 36), "ca110");
  EXPECT_EQ(formatRunId("ca", 1295), "ca1zz");
  EXPECT_EQ(formatRunId("ca", 1296), "ca2100");
  EXPECT_EQ(formatRunId("ca", UINT64_MAX), "cac3w5e11264sgsf");  // 13 digits: marker 'c'
}

TEST(FormatRunId, StringOrderIsNumericOrder) {
  std::vector<std::uint64_t> counters;
  for (std::uint64_t n = 1; n < 50000; n += 7) counters.push_back(n);
  for (std::uint64_t n = 36; n < UINT64_MAX / 36; n *= 36) {  // around every change of length
    counters.push_back(n - 1);
    counters.push_back(n);
  }
  counters.push_back(UINT64_MAX);
  std::sort(counters.begin(), counters.end());
  counters.erase(std::unique(counters.begin(), counters.end()), counters.end());
  for (std::size_t i = 1; i < counters.size(); ++i)
    ASSERT_LT(formatRunId("ab", counters[i - 1]), formatRunId("ab", counters[i])) << counters[i];
}

TEST(RunIdPrefix, FromHostName) {
  EXPECT_EQ(runIdPrefixFromHostName("Build-Agent-07"), "bu");
  EXPECT_EQ(runIdPrefixFromHostName("7c-x.example"), "cx");
  EXPECT_EQ(runIdPrefixFromHostName("9q"), "qx");
  EXPECT_EQ(runIdPrefixFromHostName(""), "xx");
  const auto prefix = defaultRunIdPrefix();
  EXPECT_EQ(prefix.size(), 2u);
  EXPECT_TRUE(std::all_of(prefix.begin(), prefix.end(), [](char c) { return c >= 'a' && c <= 'z'; }));
}

TEST(RunIdGenerator, PrefixMustBeLowercaseLetters) {
  test::TempDir dir("run-id");
  EXPECT_EQ(RunIdGenerator(dir.path(), "ca").prefix(), "ca");
  EXPECT_EQ(RunIdGenerator(dir.path()).prefix(), defaultRunIdPrefix());
  for (const char* bad : {"a1", "Ca", "c-a", "abcdefghi", "é"})
    EXPECT_THROW(RunIdGenerator(dir.path(), bad), std::invalid_argument) << bad;
}

TEST(RunIdGenerator, CountsFromOneAndPersists) {
  test::TempDir dir("run-id");
  const auto state = dir.path() / "state" / "nested";  // created on demand
  {
    RunIdGenerator generator(state, "ca");
    EXPECT_EQ(generator.next(), "ca01");
    EXPECT_EQ(generator.next(), "ca02");
  }
  RunIdGenerator again(state, "ca");
  EXPECT_EQ(again.next(), "ca03");
  EXPECT_EQ(test::read_file(state / RunIdGenerator::kCounterFile), "3\n");
}

TEST(RunIdGenerator, CrossesLengthBoundaryInOrder) {
  test::TempDir dir("run-id");
  dir.write(std::string(RunIdGenerator::kCounterFile), "1293\n");
  RunIdGenerator generator(dir.path(), "ca");
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(generator.next());
  EXPECT_THAT(ids, ElementsAre("ca1zy", "ca1zz", "ca2100", "ca2101"));
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
}

TEST(RunIdGenerator, CorruptCounterIsAnError) {
  test::TempDir dir("run-id");
  const auto file = dir.write(std::string(RunIdGenerator::kCounterFile), "twelve\n");
  RunIdGenerator generator(dir.path(), "ca");
  try {
    generator.next();
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(file.string()));
    EXPECT_THAT(e.what(), HasSubstr("does not hold a number"));
  }
}

TEST(RunIdGenerator, UnwritableStateDirIsAnError) {
  test::TempDir dir("run-id");
  const auto blocker = dir.write("file", "x");
  EXPECT_THROW(RunIdGenerator(blocker / "state", "ca").next(), std::runtime_error);
}

// 1000 ids from three threads: two share one generator, the third has its own on the same directory.
TEST(RunIdGenerator, ConcurrentThreadsGetUniqueIdsInIssueOrder) {
  test::TempDir dir("run-id");
  RunIdGenerator shared(dir.path(), "ca");
  RunIdGenerator other(dir.path(), "ca");
  std::vector<std::vector<std::string>> issued(3);
  {
    const int counts[3] = {333, 333, 334};  // declared before the threads: it must outlive their join
    std::vector<std::jthread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        RunIdGenerator& generator = t == 2 ? other : shared;
        for (int i = 0; i < counts[t]; ++i) issued[t].push_back(generator.next());
      });
    }
  }
  std::vector<std::string> all;
  for (const auto& ids : issued) {
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));  // each thread sees ids in increasing order
    EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
    all.insert(all.end(), ids.begin(), ids.end());
  }
  std::sort(all.begin(), all.end());
  std::vector<std::string> expected;
  for (std::uint64_t n = 1; n <= 1000; ++n) expected.push_back(formatRunId("ca", n));
  EXPECT_EQ(all, expected);  // unique, no gaps, and string order equals issue order
}

// Two processes (as with concurrent `hangar run-once`) on the same state directory.
TEST(RunIdGenerator, ConcurrentProcessesGetUniqueIds) {
  test::TempDir dir("run-id");
  const auto childOutput = dir.path() / "child-ids";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int status = 0;
    try {
      RunIdGenerator generator(dir.path(), "ca");
      std::ofstream out(childOutput);
      for (int i = 0; i < 150; ++i) out << generator.next() << '\n';
      status = out ? 0 : 1;
    } catch (...) {
      status = 2;
    }
    _exit(status);
  }
  RunIdGenerator generator(dir.path(), "ca");
  std::vector<std::string> all;
  for (int i = 0; i < 150; ++i) all.push_back(generator.next());
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::ifstream in(childOutput);
  for (std::string id; std::getline(in, id);) all.push_back(id);
  ASSERT_EQ(all.size(), 300u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 300u);
  EXPECT_EQ(test::read_file(dir.path() / RunIdGenerator::kCounterFile), "300\n");
}

}  // namespace
}  // namespace hangar::agent
