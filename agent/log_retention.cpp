#include "agent/log_retention.hpp"

#include <algorithm>
#include <vector>

namespace hangar::agent {
namespace fs = std::filesystem;

namespace {

struct LogFile {
  fs::path path;
  std::chrono::system_clock::time_point written;
  std::uintmax_t size = 0;
};

std::chrono::system_clock::time_point toSystem(fs::file_time_type time) {
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(
      fs::file_time_type::clock::to_sys(time));
}

bool removeFile(const fs::path& path) {
  std::error_code error;
  return fs::remove(path, error) && !error;
}

}  // namespace

LogRetentionReport applyLogRetention(const fs::path& logsDir, const config::LogRetention& retention,
                                     std::chrono::system_clock::time_point now,
                                     const std::set<std::string>& activeRunIds) {
  LogRetentionReport report;
  std::vector<LogFile> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(logsDir, error)) {
    const fs::path& path = entry.path();
    if (path.extension() != ".log") continue;
    if (activeRunIds.contains(path.stem().string())) continue;  // a live run's log: never removed
    std::error_code statError;
    auto written = entry.last_write_time(statError);
    auto size = entry.file_size(statError);
    if (statError) continue;  // removed meanwhile
    files.push_back({path, toSystem(written), size});
  }
  const auto cutoff = now - std::chrono::hours(24) * retention.days;
  std::vector<LogFile> kept;
  for (auto& file : files) {
    if (file.written < cutoff && removeFile(file.path)) {
      ++report.removedForAge;
      report.bytesRemoved += file.size;
    } else {
      kept.push_back(std::move(file));
    }
  }
  std::sort(kept.begin(), kept.end(),
            [](const LogFile& a, const LogFile& b) { return a.written < b.written; });
  std::uintmax_t total = 0;
  for (const auto& file : kept) total += file.size;
  // Active runs' logs count against the budget too, but only the others can go.
  for (const auto& id : activeRunIds) {
    std::error_code sizeError;
    auto size = fs::file_size(logsDir / (id + ".log"), sizeError);
    if (!sizeError) total += size;
  }
  const std::uintmax_t budget = static_cast<std::uintmax_t>(retention.maxSizeMB) * 1024 * 1024;
  for (const auto& file : kept) {
    if (total <= budget) break;
    if (removeFile(file.path)) {
      ++report.removedForSize;
      report.bytesRemoved += file.size;
      total -= file.size;
    }
  }
  report.bytesKept = total;
  return report;
}

}  // namespace hangar::agent
