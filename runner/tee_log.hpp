#pragma once

#include <string_view>
#include <vector>

#include "runner/log_sink.hpp"

namespace hangar::runner {

/// Sends every call to several sinks in turn (the console and the run's log file, say); when one
/// throws, the others still get the call and the first error is rethrown. It owns none of them;
/// each must outlive it. Thread-safe as far as its sinks are.
class TeeLog : public LogSink {
 public:
  TeeLog() = default;
  explicit TeeLog(std::vector<LogSink*> sinks) : sinks_(std::move(sinks)) {}
  /// Adds a sink; not to be called while others log.
  void add(LogSink& sink) { sinks_.push_back(&sink); }

  void info(std::string_view line) override;
  void output(std::string_view stepId, std::string_view chunk) override;
  void stepFinished(std::string_view stepId) override;

 private:
  std::vector<LogSink*> sinks_;
};

}  // namespace hangar::runner
