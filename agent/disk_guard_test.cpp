#include "agent/disk_guard.hpp"

#include <gmock/gmock.h>
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

TEST(DiskGuard, PrunesFirstAndPausesClaimsOnlyIfStillLow) {
  std::atomic<std::uintmax_t> free{50 * kMiB};
  DiskGuard guard({"/state"}, 100 * kMiB, [&](const std::filesystem::path&) { return free.load(); });
  int prunes = 0;
  std::uintmax_t freedTo = 500 * kMiB;
  guard.setReclaimer(
      [&] {
        ++prunes;
        EXPECT_FALSE(guard.mayClaim());  // no claim starts while the prune runs
        free = freedTo;
        return std::string("removed what was left");
      },
      std::chrono::hours(1));
  EXPECT_FALSE(guard.check());  // the prune freed enough: claims never paused
  EXPECT_EQ(prunes, 1);
  EXPECT_TRUE(guard.mayClaim());
  ASSERT_EQ(guard.lastFree().size(), 1u);
  EXPECT_EQ(guard.lastFree()[0].second, 500 * kMiB);

  // Low again within the interval: no second prune, claims pause.
  free = 60 * kMiB;
  auto reason = guard.check();
  ASSERT_TRUE(reason);
  EXPECT_EQ(prunes, 1);
  EXPECT_FALSE(guard.mayClaim());
  EXPECT_THAT(*reason, ::testing::HasSubstr("is 60 MiB, below the minimum of 100 MiB"));

  // With the interval passed, a prune that frees too little still leaves claims paused.
  guard.setReclaimer(
      [&] {
        ++prunes;
        free = 70 * kMiB;
        return std::string("removed a little");
      },
      std::chrono::seconds(0));
  reason = guard.check();
  EXPECT_EQ(prunes, 2);
  ASSERT_TRUE(reason);
  EXPECT_THAT(*reason, ::testing::HasSubstr("is 70 MiB"));
  EXPECT_FALSE(guard.mayClaim());
  free = 200 * kMiB;
  EXPECT_FALSE(guard.check());
  EXPECT_EQ(prunes, 2);  // room again: no prune
  EXPECT_TRUE(guard.mayClaim());
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
