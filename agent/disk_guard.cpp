#include "agent/disk_guard.hpp"

#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <system_error>

namespace hangar::agent {
namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t kMiB = 1024 * 1024;

// The nearest existing folder at or above `path` (storage may not exist yet).
fs::path existingAncestor(fs::path path) {
  std::error_code error;
  while (!path.empty() && !fs::exists(path, error) && path != path.root_path()) path = path.parent_path();
  return path.empty() ? fs::path("/") : path;
}

// The least free space among `free` (0 when nothing could be probed).
std::uintmax_t lowestFree(const std::vector<std::pair<fs::path, std::uintmax_t>>& free) {
  std::uintmax_t lowest = free.empty() ? 0 : free.front().second;
  for (const auto& entry : free) lowest = std::min(lowest, entry.second);
  return lowest;
}

}  // namespace

FreeSpaceProbe makeFreeSpaceProbe() {
  const char* testFile = std::getenv("HANGAR_TEST_FREE_SPACE_FILE");
  if (testFile != nullptr && *testFile != '\0') {
    return [file = fs::path(testFile)](const fs::path&) -> std::uintmax_t {
      std::ifstream in(file);
      std::uintmax_t mib = 0;
      if (!(in >> mib))
        throw std::system_error(std::make_error_code(std::errc::io_error),
                                "test free-space file " + file.string() + " holds no number");
      return mib * kMiB;
    };
  }
  return [](const fs::path& path) -> std::uintmax_t {
    struct statvfs info {};
    fs::path probed = existingAncestor(path);
    if (::statvfs(probed.c_str(), &info) != 0)
      throw std::system_error(errno, std::generic_category(), "statvfs " + probed.string());
    return static_cast<std::uintmax_t>(info.f_bavail) * info.f_frsize;
  };
}

DiskGuard::DiskGuard(std::vector<fs::path> paths, std::uintmax_t minFreeBytes, FreeSpaceProbe probe)
    : paths_(std::move(paths)), minFreeBytes_(minFreeBytes), probe_(std::move(probe)) {}

void DiskGuard::setReclaimer(SpaceReclaimer reclaim, std::chrono::steady_clock::duration minInterval) {
  std::lock_guard lock(mutex_);
  reclaim_ = std::move(reclaim);
  reclaimInterval_ = minInterval;
}

DiskGuard::Probed DiskGuard::probeAll(const std::vector<fs::path>& paths, std::uintmax_t minimum) const {
  Probed probed;
  for (const auto& path : paths) {
    try {
      std::uintmax_t free = probe_(path);
      probed.free.emplace_back(path, free);
      if (minimum > 0 && free < minimum && !probed.reason)
        probed.reason = "free space under " + path.string() + " is " + std::to_string(free / kMiB) +
                        " MiB, below the minimum of " + std::to_string(minimum / kMiB) +
                        " MiB (diskGuard.minFreeMB)";
    } catch (const std::exception& e) {
      if (minimum > 0 && !probed.reason)
        probed.reason = "cannot check the free space under " + path.string() + ": " + e.what();
    }
  }
  return probed;
}

std::optional<std::string> DiskGuard::check() {
  std::vector<fs::path> paths;
  std::uintmax_t minimum = 0;
  SpaceReclaimer reclaim;
  {
    std::lock_guard lock(mutex_);
    paths = paths_;
    minimum = minFreeBytes_;
    reclaim = reclaim_;
  }
  Probed probed = probeAll(paths, minimum);
  if (probed.reason && reclaim) {
    std::unique_lock pruning(reclaimMutex_);
    auto now = std::chrono::steady_clock::now();
    bool due = false;
    {
      std::lock_guard lock(mutex_);
      due = !lastReclaim_ || now - *lastReclaim_ >= reclaimInterval_;
      if (due) lastReclaim_ = now;
    }
    if (due) {
      spdlog::warn("disk guard: {}; pruning what Hangar can safely remove", *probed.reason);
      std::string what;
      pruning_ = true;
      try {
        what = reclaim();
      } catch (const std::exception& e) {
        what = std::string("pruning failed: ") + e.what();
      }
      Probed after = probeAll(paths, minimum);
      spdlog::info("disk guard: {}; lowest free space {} MiB before, {} MiB after{}", what,
                   lowestFree(probed.free) / kMiB, lowestFree(after.free) / kMiB,
                   after.reason ? ": still below the minimum" : ": enough, claims go on");
      probed = std::move(after);
    }
  }
  std::lock_guard lock(mutex_);
  blocked_ = probed.reason;
  lastFree_ = std::move(probed.free);
  pruning_ = false;  // after blocked_ is set: no claim slips in between a prune and its verdict
  return blocked_;
}

std::optional<std::string> DiskGuard::blocked() const {
  std::lock_guard lock(mutex_);
  return blocked_;
}

bool DiskGuard::mayClaim() const { return !pruning_ && !blocked(); }

void DiskGuard::configure(std::vector<fs::path> paths, std::uintmax_t minFreeBytes) {
  std::lock_guard lock(mutex_);
  paths_ = std::move(paths);
  minFreeBytes_ = minFreeBytes;
}

std::vector<std::pair<fs::path, std::uintmax_t>> DiskGuard::lastFree() const {
  std::lock_guard lock(mutex_);
  return lastFree_;
}

}  // namespace hangar::agent
