#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runner/run_record.hpp"

namespace spdlog::sinks {
class sink;
}

namespace hangar::agent {

/// What /metrics reads from the service at scrape time (each figure read fresh).
struct MetricsReadings {
  std::map<std::string, std::uint64_t> runsByStatus;  // status name -> stored runs
  std::size_t queueDepth = 0;
  std::size_t slotsBusy = 0;
  std::size_t slotsTotal = 0;
  std::optional<std::string> claimsPaused;                       // the disk guard's reason
  std::vector<std::pair<std::string, std::uint64_t>> freeBytes;  // watched path -> free bytes
};

/// The service's own counters for /metrics: timer firings, step durations, errors logged. Thread-safe.
class ServiceMetrics {
 public:
  /// Upper bounds (seconds) of the step duration histogram's buckets.
  static constexpr double kStepBuckets[] = {1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200};

  ServiceMetrics();
  ~ServiceMetrics();
  ServiceMetrics(const ServiceMetrics&) = delete;
  ServiceMetrics& operator=(const ServiceMetrics&) = delete;

  /// A timer of `task` fired (enqueued a run, or was skipped by concurrency: forbid).
  void timerFired(const std::string& task, const std::string& timer, bool skipped,
                  std::chrono::system_clock::time_point when);
  /// A run ended: its steps' durations go into the histogram.
  void runFinished(const runner::RunRecord& record);
  /// An error was logged (the spdlog sink below calls this).
  void errorLogged(const std::string& message, std::chrono::system_clock::time_point when);
  /// A spdlog sink feeding errorLogged(); add it to the service's logger. It holds this object weakly.
  std::shared_ptr<spdlog::sinks::sink> errorSink();

  /// The Prometheus text exposition (version 0.0.4) of these counters and `readings`.
  std::string render(const MetricsReadings& readings) const;

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets = std::vector<std::uint64_t>(std::size(kStepBuckets), 0);
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct TimerCounts {
    std::uint64_t fired = 0, skipped = 0;
  };

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, TimerCounts> timers_;        // (task, timer)
  std::map<std::string, std::chrono::system_clock::time_point> lastFiring_;  // task -> last enqueued firing
  Histogram steps_;
  std::uint64_t errors_ = 0;
  std::string lastError_;
  std::optional<std::chrono::system_clock::time_point> lastErrorTime_;
  std::shared_ptr<ServiceMetrics*> self_;  // what the error sink points to; reset on destruction
};

/// A Prometheus label value with \, " and newlines escaped.
std::string escapeLabelValue(const std::string& value);

}  // namespace hangar::agent
