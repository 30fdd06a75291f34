#include "runner/run_summary.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace hangar::runner {

namespace {

std::chrono::nanoseconds elapsedBetween(const std::optional<TimePoint>& start,
                                        const std::optional<TimePoint>& finish) {
  if (!start || !finish || *finish < *start) return std::chrono::nanoseconds(0);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(*finish - *start);
}

/// A step's duration for the table: "4.321s" under a minute, then "2m03s", then "1h02m03s".
std::string formatStepDuration(const StepRecord& step) {
  if (!step.startTime || !step.finishTime) return "-";
  const auto elapsed = elapsedBetween(step.startTime, step.finishTime);
  char buffer[48];
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  if (millis < 60'000) {
    std::snprintf(buffer, sizeof buffer, "%lld.%03llds", static_cast<long long>(millis / 1000),
                  static_cast<long long>(millis % 1000));
  } else {
    const long long seconds = millis / 1000;
    if (seconds < 3600) {
      std::snprintf(buffer, sizeof buffer, "%lldm%02llds", seconds / 60, seconds % 60);
    } else {
      std::snprintf(buffer, sizeof buffer, "%lldh%02lldm%02llds", seconds / 3600, seconds / 60 % 60,
                    seconds % 60);
    }
  }
  return buffer;
}

std::string imageName(const OutputImage& image) {
  std::string name = image.registry.empty() ? image.repository : image.registry + "/" + image.repository;
  if (!image.tag.empty()) name += ":" + image.tag;
  return name;
}

/// Lines of a table whose columns are as wide as their widest cell; the last column is not padded.
std::vector<std::string> renderTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t column = 0; column < row.size(); ++column) {
      widths[column] = std::max(widths[column], row[column].size());
    }
  }
  std::vector<std::string> lines;
  for (const auto& row : rows) {
    std::string line;
    for (size_t column = 0; column < row.size(); ++column) {
      line += row[column];
      if (column + 1 < row.size()) line += std::string(widths[column] - row[column].size() + 2, ' ');
    }
    lines.push_back(line.substr(0, line.find_last_not_of(' ') + 1));
  }
  return lines;
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

std::string formatWholeSeconds(std::chrono::nanoseconds duration) {
  if (duration < std::chrono::nanoseconds(0)) duration = std::chrono::nanoseconds(0);
  const auto total = std::chrono::round<std::chrono::seconds>(duration).count();
  const long long hours = total / 3600, minutes = total / 60 % 60, seconds = total % 60;
  std::string text;
  if (hours > 0) text += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) text += std::to_string(minutes) + "m";
  return text + std::to_string(seconds) + "s";
}

std::string stepEndLine(std::string_view stepId, StepStatus status, std::chrono::nanoseconds elapsed) {
  std::string outcome;
  switch (status) {
    case StepStatus::Successful:
      outcome = "successful";
      break;
    case StepStatus::Failed:
      outcome = "failed";
      break;
    case StepStatus::Canceled:
      outcome = "canceled";
      break;
    case StepStatus::Skipped:
      outcome = "skipped";
      break;
    case StepStatus::InProgress:
      outcome = "in progress";
      break;
  }
  char seconds[48];
  std::snprintf(seconds, sizeof seconds, "%f", std::chrono::duration<double>(elapsed).count());
  return "Step ID: " + std::string(stepId) + " marked as " + outcome +
         " (elapsed time in seconds: " + seconds + ")";
}

std::string stepEndLine(const StepRecord& step) {
  return stepEndLine(step.id, step.status, elapsedBetween(step.startTime, step.finishTime));
}

std::string runEndLine(const RunRecord& record) {
  const std::string after =
      " after " + formatWholeSeconds(elapsedBetween(record.startTime, record.finishTime));
  std::string line = "Run ID: " + record.id;
  switch (record.status) {
    case RunStatus::Succeeded:
      line += " was successful" + after;
      break;
    case RunStatus::Failed:
    case RunStatus::Error:
      line += " failed" + after;
      break;
    case RunStatus::Canceled:
      line += " was canceled" + after;
      break;
    case RunStatus::Timeout:
      line += " timed out" + after;
      break;
    case RunStatus::Queued:
    case RunStatus::Started:
    case RunStatus::Running:
      line += " is " + lowercase(toString(record.status));
      break;
  }
  if (!record.error.empty()) line += ". Error: " + record.error;
  return line;
}

std::vector<std::string> runSummaryLines(const RunRecord& record) {
  std::vector<std::string> lines;
  if (!record.steps.empty()) {
    const bool anyError = std::any_of(record.steps.begin(), record.steps.end(),
                                      [](const StepRecord& step) { return !step.error.empty(); });
    std::vector<std::vector<std::string>> rows{{"STEP", "STATUS", "EXIT CODE", "DURATION"}};
    if (anyError) rows.front().push_back("ERROR");
    for (const auto& step : record.steps) {
      rows.push_back({step.id, toString(step.status), step.exitCode ? std::to_string(*step.exitCode) : "-",
                      formatStepDuration(step)});
      if (anyError) rows.back().push_back(step.error);
    }
    for (auto& line : renderTable(rows)) lines.push_back(std::move(line));
  }
  if (!record.outputImages.empty()) {
    lines.push_back("Pushed images:");
    std::vector<std::vector<std::string>> rows;
    for (const auto& image : record.outputImages) rows.push_back({"  " + imageName(image), image.digest});
    for (auto& line : renderTable(rows)) lines.push_back(std::move(line));
  }
  if (record.source) {
    const SourceRecord& source = *record.source;
    std::string line = "Source: " + source.repository + " at " + source.commit;
    if (!source.branch.empty()) line += " (branch " + source.branch + ")";
    if (!source.tag.empty()) line += " (tag " + source.tag + ")";
    lines.push_back(std::move(line));
  }
  lines.push_back(runEndLine(record));
  return lines;
}

void logRunSummary(const RunRecord& record, LogSink& log) {
  for (const auto& line : runSummaryLines(record)) log.info(line);
}

}  // namespace hangar::runner
