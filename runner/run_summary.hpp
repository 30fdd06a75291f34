#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "runner/log_sink.hpp"
#include "runner/run_record.hpp"

namespace hangar::runner {

/// The end of a run in text, printed whatever the outcome (task-format B8): a table of every step
/// with its status, exit code and duration (and error, when a step has one), each pushed image with
/// its digest, the git source when there is one ("Source: URL at SHA (branch main)"), then ACR's final line,
/// e.g. "Run ID: ca1 was successful after 5s" or "Run ID: cb6 failed after 9s. Error: ...". One string per
/// line, no trailing newlines.
std::vector<std::string> runSummaryLines(const RunRecord& record);

/// Writes runSummaryLines() to `log`, one info() per line.
void logRunSummary(const RunRecord& record, LogSink& log);

/// ACR's final line alone (the last of runSummaryLines).
std::string runEndLine(const RunRecord& record);

/// acb's line at the end of a step, e.g.
/// "Step ID: build marked as successful (elapsed time in seconds: 1.234567)".
std::string stepEndLine(std::string_view stepId, StepStatus status, std::chrono::nanoseconds elapsed);
/// The same from a step's record (elapsed 0 when a time is missing).
std::string stepEndLine(const StepRecord& step);

/// A duration as Go prints one rounded to the second: "0s", "9s", "1m5s", "2h0m3s".
std::string formatWholeSeconds(std::chrono::nanoseconds duration);

}  // namespace hangar::runner
