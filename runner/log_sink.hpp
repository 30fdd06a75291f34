#pragma once

#include <string>
#include <string_view>

namespace hangar::runner {

/// Where a run's log goes: step headers, each step's live output, and the final summary.
/// Implementations must be safe to call from several threads (parallel steps).
class LogSink {
 public:
  virtual ~LogSink() = default;
  /// A line written by Hangar itself (headers, progress, summary), without a trailing newline.
  virtual void info(std::string_view line) = 0;
  /// Raw output of a step's process, in chunks of any size.
  virtual void output(std::string_view stepId, std::string_view chunk) = 0;
  /// The step's process has ended and will write no more: a sink emits what it still holds for it
  /// (a partial line, bytes that might have begun a secret). The runner calls it once per step
  /// that was started, before the step's end line.
  virtual void stepFinished(std::string_view stepId) { (void)stepId; }
};

}  // namespace hangar::runner
