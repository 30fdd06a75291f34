#include "agent/disk_guard.hpp"

#include <sys/statvfs.h>

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

std::optional<std::string> DiskGuard::check() {
  std::vector<fs::path> paths;
  std::uintmax_t minimum = 0;
  {
    std::lock_guard lock(mutex_);
    paths = paths_;
    minimum = minFreeBytes_;
  }
  std::optional<std::string> reason;
  std::vector<std::pair<fs::path, std::uintmax_t>> found;
  for (const auto& path : paths) {
    try {
      std::uintmax_t free = probe_(path);
      found.emplace_back(path, free);
      if (minimum > 0 && free < minimum && !reason)
        reason = "free space under " + path.string() + " is " + std::to_string(free / kMiB) +
                 " MiB, below the minimum of " + std::to_string(minimum / kMiB) +
                 " MiB (diskGuard.minFreeMB)";
    } catch (const std::exception& e) {
      if (minimum > 0 && !reason)
        reason = "cannot check the free space under " + path.string() + ": " + e.what();
    }
  }
  std::lock_guard lock(mutex_);
  blocked_ = reason;
  lastFree_ = std::move(found);
  return reason;
}

std::optional<std::string> DiskGuard::blocked() const {
  std::lock_guard lock(mutex_);
  return blocked_;
}

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
