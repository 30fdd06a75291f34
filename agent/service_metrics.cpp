#include "agent/service_metrics.hpp"

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

#include <sstream>

namespace hangar::agent {
namespace {

double seconds(std::chrono::system_clock::time_point when) {
  return std::chrono::duration<double>(when.time_since_epoch()).count();
}

// Forwards error-level messages to the metrics while they exist.
class ErrorSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ErrorSink(std::weak_ptr<ServiceMetrics*> metrics) : metrics_(std::move(metrics)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    if (message.level < spdlog::level::err) return;
    if (auto metrics = metrics_.lock(); metrics && *metrics)
      (*metrics)->errorLogged(std::string(message.payload.data(), message.payload.size()),
                              std::chrono::system_clock::now());
  }
  void flush_() override {}

 private:
  std::weak_ptr<ServiceMetrics*> metrics_;
};

}  // namespace

std::string escapeLabelValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

ServiceMetrics::ServiceMetrics() : self_(std::make_shared<ServiceMetrics*>(this)) {}

ServiceMetrics::~ServiceMetrics() { *self_ = nullptr; }

void ServiceMetrics::timerFired(const std::string& task, const std::string& timer, bool skipped,
                                std::chrono::system_clock::time_point when) {
  std::lock_guard lock(mutex_);
  auto& counts = timers_[{task, timer}];
  if (skipped) {
    ++counts.skipped;
  } else {
    ++counts.fired;
    lastFiring_[task] = when;
  }
}

void ServiceMetrics::runFinished(const runner::RunRecord& record) {
  std::lock_guard lock(mutex_);
  for (const auto& step : record.steps) {
    if (!step.startTime || !step.finishTime) continue;
    double duration = std::chrono::duration<double>(*step.finishTime - *step.startTime).count();
    for (std::size_t i = 0; i < std::size(kStepBuckets); ++i)
      if (duration <= kStepBuckets[i]) ++steps_.buckets[i];
    ++steps_.count;
    steps_.sum += duration;
  }
}

void ServiceMetrics::errorLogged(const std::string& message, std::chrono::system_clock::time_point when) {
  std::lock_guard lock(mutex_);
  ++errors_;
  lastError_ = message.substr(0, 512);
  lastErrorTime_ = when;
}

std::shared_ptr<spdlog::sinks::sink> ServiceMetrics::errorSink() {
  return std::make_shared<ErrorSink>(self_);
}

std::string ServiceMetrics::render(const MetricsReadings& readings) const {
  std::ostringstream out;
  out.precision(15);
  out << "# HELP hangar_runs Runs in the run store, by status.\n# TYPE hangar_runs gauge\n";
  for (const char* status :
       {"Queued", "Started", "Running", "Succeeded", "Failed", "Canceled", "Error", "Timeout"}) {
    auto it = readings.runsByStatus.find(status);
    out << "hangar_runs{status=\"" << status << "\"} " << (it == readings.runsByStatus.end() ? 0 : it->second)
        << "\n";
  }
  out << "# HELP hangar_queue_depth Run requests waiting to be claimed.\n# TYPE hangar_queue_depth gauge\n"
      << "hangar_queue_depth " << readings.queueDepth << "\n";
  out << "# HELP hangar_slots_busy Slots running a run now.\n# TYPE hangar_slots_busy gauge\n"
      << "hangar_slots_busy " << readings.slotsBusy << "\n";
  out << "# HELP hangar_slots Slots configured.\n# TYPE hangar_slots gauge\nhangar_slots "
      << readings.slotsTotal << "\n";
  out << "# HELP hangar_claims_paused 1 while the disk guard stops new claims.\n# TYPE hangar_claims_paused "
         "gauge\n"
      << "hangar_claims_paused " << (readings.claimsPaused ? 1 : 0) << "\n";
  out << "# HELP hangar_disk_free_bytes Free bytes under each path the disk guard watches.\n"
         "# TYPE hangar_disk_free_bytes gauge\n";
  for (const auto& [path, free] : readings.freeBytes)
    out << "hangar_disk_free_bytes{path=\"" << escapeLabelValue(path) << "\"} " << free << "\n";

  std::lock_guard lock(mutex_);
  out << "# HELP hangar_timer_firings_total Timer firings, by task, timer and result.\n"
         "# TYPE hangar_timer_firings_total counter\n";
  for (const auto& [key, counts] : timers_) {
    const std::string labels =
        "task=\"" + escapeLabelValue(key.first) + "\",timer=\"" + escapeLabelValue(key.second) + "\"";
    out << "hangar_timer_firings_total{" << labels << ",result=\"enqueued\"} " << counts.fired << "\n";
    out << "hangar_timer_firings_total{" << labels << ",result=\"skipped\"} " << counts.skipped << "\n";
  }
  out << "# HELP hangar_last_timer_firing_timestamp_seconds When a timer of the task last enqueued a run.\n"
         "# TYPE hangar_last_timer_firing_timestamp_seconds gauge\n";
  for (const auto& [task, when] : lastFiring_)
    out << "hangar_last_timer_firing_timestamp_seconds{task=\"" << escapeLabelValue(task) << "\"} "
        << seconds(when) << "\n";
  out << "# HELP hangar_step_duration_seconds Durations of the steps of finished runs.\n"
         "# TYPE hangar_step_duration_seconds histogram\n";
  for (std::size_t i = 0; i < std::size(kStepBuckets); ++i)
    out << "hangar_step_duration_seconds_bucket{le=\"" << kStepBuckets[i] << "\"} " << steps_.buckets[i]
        << "\n";
  out << "hangar_step_duration_seconds_bucket{le=\"+Inf\"} " << steps_.count << "\n"
      << "hangar_step_duration_seconds_sum " << steps_.sum << "\n"
      << "hangar_step_duration_seconds_count " << steps_.count << "\n";
  out << "# HELP hangar_errors_total Errors the service logged.\n# TYPE hangar_errors_total counter\n"
      << "hangar_errors_total " << errors_ << "\n";
  out << "# HELP hangar_last_error The last error the service logged (value: its Unix time).\n"
         "# TYPE hangar_last_error gauge\n";
  if (lastErrorTime_)
    out << "hangar_last_error{message=\"" << escapeLabelValue(lastError_) << "\"} "
        << seconds(*lastErrorTime_) << "\n";
  return out.str();
}

}  // namespace hangar::agent
