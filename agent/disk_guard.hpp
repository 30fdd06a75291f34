#pragma once

#include <atomic>
#include <chrono>
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

/// Frees what can safely go when space is low (the disk guard's prune step); returns what it did, for
/// the log.
using SpaceReclaimer = std::function<std::string()>;

/// Stops the service claiming new runs while free space under any watched path (the state directory,
/// the engine's storage) is below a threshold; claims resume once every path has room again. Before it
/// stops claims it prunes (setReclaimer) and probes again. Thread-safe.
class DiskGuard {
 public:
  /// `minFreeBytes` 0 turns the guard off.
  DiskGuard(std::vector<std::filesystem::path> paths, std::uintmax_t minFreeBytes, FreeSpaceProbe probe);

  /// What check() runs when a path is below the threshold, before deciding: at most once per
  /// `minInterval`, so a prune that could not free enough is not repeated at every probe.
  void setReclaimer(SpaceReclaimer reclaim, std::chrono::steady_clock::duration minInterval);

  /// Probes every path now; when one is low, prunes (setReclaimer; logged: what went and the free space
  /// before and after) and probes again. Returns why claiming must stop ("free space under PATH is N
  /// MiB, below the minimum of M MiB (diskGuard.minFreeMB)"), or nothing when every path has room. A
  /// path that cannot be probed counts as full, with the error as the reason.
  std::optional<std::string> check();
  /// The result of the last check().
  std::optional<std::string> blocked() const;
  /// False while blocked() and while a prune runs (claims wait for it: a run starting then could use an
  /// image the engine prune is removing); what the dispatcher asks before each claim.
  bool mayClaim() const;
  /// Replaces the watched paths and threshold (configuration reload).
  void configure(std::vector<std::filesystem::path> paths, std::uintmax_t minFreeBytes);
  /// The free bytes per path found by the last check() (for /metrics).
  std::vector<std::pair<std::filesystem::path, std::uintmax_t>> lastFree() const;

 private:
  // One probe of every path: the free bytes found and, when one is low or unreadable, why.
  struct Probed {
    std::vector<std::pair<std::filesystem::path, std::uintmax_t>> free;
    std::optional<std::string> reason;
  };
  Probed probeAll(const std::vector<std::filesystem::path>& paths, std::uintmax_t minimum) const;

  mutable std::mutex mutex_;
  std::vector<std::filesystem::path> paths_;
  std::uintmax_t minFreeBytes_;
  FreeSpaceProbe probe_;
  std::mutex reclaimMutex_;  // one prune at a time
  std::atomic<bool> pruning_{false};
  SpaceReclaimer reclaim_;
  std::chrono::steady_clock::duration reclaimInterval_{};
  std::optional<std::chrono::steady_clock::time_point> lastReclaim_;
  std::optional<std::string> blocked_;
  std::vector<std::pair<std::filesystem::path, std::uintmax_t>> lastFree_;
};

}  // namespace hangar::agent
