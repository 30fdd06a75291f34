#include "agent/disk_guard.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

constexpr std::uintmax_t kMiB = 1024 * 1024;

TEST(DiskGuard, BlocksBelowTheThresholdAndResumesWhenSpaceIsBack) {
  std::atomic<std::uintmax_t> free{500 * kMiB};
  DiskGuard guard({"/state", "/storage"}, 100 * kMiB, [&](const std::filesystem::path& path) {
    return path == "/storage" ? free.load() : 1000 * kMiB;
  });
  EXPECT_FALSE(guard.check());
  EXPECT_FALSE(guard.blocked());
  free = 50 * kMiB;
  auto reason = guard.check();
  ASSERT_TRUE(reason);
  EXPECT_EQ(*reason,
            "free space under /storage is 50 MiB, below the minimum of 100 MiB (diskGuard.minFreeMB)");
  EXPECT_EQ(guard.blocked(), reason);
  ASSERT_EQ(guard.lastFree().size(), 2u);
  EXPECT_EQ(guard.lastFree()[1].second, 50 * kMiB);
  free = 100 * kMiB;
  EXPECT_FALSE(guard.check());
  EXPECT_FALSE(guard.blocked());
}

TEST(DiskGuard, AProbeErrorBlocksWithTheErrorAndZeroTurnsTheGuardOff) {
  DiskGuard guard({"/state"}, kMiB, [](const std::filesystem::path&) -> std::uintmax_t {
    throw std::runtime_error("statvfs /state: no such device");
  });
  auto reason = guard.check();
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("no such device"), std::string::npos);
  guard.configure({"/state"}, 0);
  EXPECT_FALSE(guard.check());
}

TEST(DiskGuard, TheRealProbeSeesFreeSpaceEvenUnderAFolderNotYetCreated) {
  test::TempDir dir;
  auto probe = makeFreeSpaceProbe();
  EXPECT_GT(probe(dir.path() / "not" / "yet"), 0u);
}

}  // namespace
}  // namespace hangar::agent
