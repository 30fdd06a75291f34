#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "runner/log_sink.hpp"

namespace hangar::runner {

/// A LogSink that keeps every call in memory, in order: for tests of anything that logs, and to
/// check what a decorator passed on. Thread-safe.
class MemoryLog : public LogSink {
 public:
  /// One call: kind is Info (text = the line), Output (a chunk) or StepFinished (text empty).
  struct Event {
    enum class Kind { Info, Output, StepFinished };
    Kind kind;
    std::string stepId;
    std::string text;
    bool operator==(const Event&) const = default;
  };

  void info(std::string_view line) override;
  void output(std::string_view stepId, std::string_view chunk) override;
  void stepFinished(std::string_view stepId) override;

  std::vector<Event> events() const;
  /// Every output chunk of one step, joined.
  std::string outputOf(std::string_view stepId) const;
  /// Every info line, in order.
  std::vector<std::string> infoLines() const;

 private:
  mutable std::mutex mutex_;
  std::vector<Event> events_;
};

}  // namespace hangar::runner
