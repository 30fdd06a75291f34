#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hangar::agent {

/// How many bytes are free for an unprivileged writer under a path; throws std::system_error.
using FreeSpaceProbe = std::function<std::uintmax_t(const std::filesystem::path&)>;

/// statvfs(2)'s available blocks. Test-only seam: when `HANGAR_TEST_FREE_SPACE_FILE` names a file
/// holding a number, every path has that many MiB free (re-read on each call); never set in production.
FreeSpaceProbe makeFreeSpaceProbe();

/// Stops the service claiming new runs while free space under any watched path (the state directory,
/// the engine's storage) is below a threshold; claims resume once every path has room again.
/// Thread-safe.
class DiskGuard {
 public:
  /// `minFreeBytes` 0 turns the guard off.
  DiskGuard(std::vector<std::filesystem::path> paths, std::uintmax_t minFreeBytes, FreeSpaceProbe probe);

  /// Probes every path now. Returns why claiming must stop ("free space under PATH is N MiB, below
  /// the minimum of M MiB (diskGuard.minFreeMB)"), or nothing when every path has room. A path that
  /// cannot be probed counts as full, with the error as the reason.
  std::optional<std::string> check();
  /// The result of the last check().
  std::optional<std::string> blocked() const;
  /// Replaces the watched paths and threshold (configuration reload).
  void configure(std::vector<std::filesystem::path> paths, std::uintmax_t minFreeBytes);
  /// The free bytes per path found by the last check() (for /metrics).
  std::vector<std::pair<std::filesystem::path, std::uintmax_t>> lastFree() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::filesystem::path> paths_;
  std::uintmax_t minFreeBytes_;
  FreeSpaceProbe probe_;
  std::optional<std::string> blocked_;
  std::vector<std::pair<std::filesystem::path, std::uintmax_t>> lastFree_;
};

}  // namespace hangar::agent
