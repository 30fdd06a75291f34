#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::runner {

/// A run's status, with ACR's names (cli.md).
enum class RunStatus { Queued, Started, Running, Succeeded, Failed, Canceled, Error, Timeout };
/// A step's status (§2.3), plus Canceled for steps killed by a failure elsewhere (B8).
enum class StepStatus { Skipped, InProgress, Successful, Failed, Canceled };

std::string toString(RunStatus status);
std::string toString(StepStatus status);
/// The inverse of toString; nothing for an unknown name.
std::optional<RunStatus> parseRunStatus(std::string_view name);
std::optional<StepStatus> parseStepStatus(std::string_view name);

using TimePoint = std::chrono::system_clock::time_point;

/// An image pushed by the run, as ACR records it.
struct OutputImage {
  std::string registry;
  std::string repository;
  std::string tag;
  std::string digest;
};

/// A base image a build step used (§4.5): runtime = the final stage's origin, buildtime = the others.
struct ImageDependency {
  std::string image;  // the built image (one entry per tag)
  OutputImage runtime;
  std::vector<OutputImage> buildtime;
};

/// What happened to one step.
struct StepRecord {
  std::string id;
  StepStatus status = StepStatus::Skipped;
  std::optional<int> exitCode;
  std::optional<TimePoint> startTime;
  std::optional<TimePoint> finishTime;
  std::string error;  // why it failed, secrets masked
};

/// The git commit a run's context came from (a remote git context only).
struct SourceRecord {
  std::string repository;  // the URL without credentials
  std::string commit;      // full SHA
  std::string branch;      // empty unless the ref named a branch (or was the default branch)
  std::string tag;         // empty unless the ref named a tag
};

/// The record of one run: what `--output json` prints and the run store keeps.
struct RunRecord {
  std::string id;
  RunStatus status = RunStatus::Queued;
  std::vector<StepRecord> steps;
  std::vector<OutputImage> outputImages;
  std::vector<ImageDependency> dependencies;
  std::string error;
  std::optional<TimePoint> startTime;
  std::optional<TimePoint> finishTime;
  std::optional<SourceRecord> source;  // null for a local folder, an archive or no context

  /// The shape of cli.md `--output json`: absent times and exit codes are null; a step's `error`
  /// only appears when it is set; `source` is null or {repository, commit, branch, tag}.
  nlohmann::json toJson() const;
  /// Reads what toJson() wrote (the run store keeps it). Throws std::invalid_argument naming the
  /// offending field, e.g. "run record: steps[1].status: unknown step status 'Done'".
  static RunRecord fromJson(const nlohmann::json& json);
};

/// RFC 3339 UTC with milliseconds, e.g. "2026-11-25T08:00:00.123Z".
std::string formatTime(TimePoint time);
/// Parses an RFC 3339 time ("2026-11-25T08:00:00.123Z", any offset, up to nanoseconds); nothing
/// when the text is not one.
std::optional<TimePoint> parseTime(std::string_view text);

}  // namespace hangar::runner
