#pragma once

// Helpers for the config tests: parse a task text and look for a diagnostic at a position.

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "config/task_parser.hpp"

namespace hangar::config::testing {

/// The outcome of parsing one task text.
struct ParseResult {
  std::optional<Task> task;
  Diagnostics diagnostics;
};

inline ParseResult parse(std::string_view text, const std::string& file = "acb.yaml") {
  ParseResult result;
  const int lineCount = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  result.task = parseTask(text, LineMap::identity(file, lineCount), result.diagnostics);
  return result;
}

/// Success when `result` has a diagnostic of `severity` at line:column whose message contains `substring`.
inline ::testing::AssertionResult hasDiagnostic(const ParseResult& result, Severity severity, int line,
                                                int column, std::string_view substring) {
  for (const Diagnostic& d : result.diagnostics.all()) {
    if (d.severity == severity && d.position.line == line && d.position.column == column &&
        d.message.find(substring) != std::string::npos)
      return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "no " << (severity == Severity::Error ? "error" : "warning") << " at " << line << ":" << column
         << " containing \"" << substring << "\"; diagnostics:\n"
         << result.diagnostics.str();
}

inline ::testing::AssertionResult hasError(const ParseResult& result, int line, int column,
                                           std::string_view substring) {
  if (result.task) return ::testing::AssertionFailure() << "the parse succeeded";
  return hasDiagnostic(result, Severity::Error, line, column, substring);
}

inline ::testing::AssertionResult hasWarning(const ParseResult& result, int line, int column,
                                             std::string_view substring) {
  return hasDiagnostic(result, Severity::Warning, line, column, substring);
}

inline std::size_t errorCount(const ParseResult& result) {
  return static_cast<std::size_t>(
      std::count_if(result.diagnostics.all().begin(), result.diagnostics.all().end(),
                    [](const Diagnostic& d) { return d.severity == Severity::Error; }));
}

/// Parses text that must be valid, failing the test with the diagnostics otherwise.
inline Task parseValid(std::string_view text) {
  ParseResult result = parse(text);
  EXPECT_TRUE(result.task.has_value()) << result.diagnostics.str();
  EXPECT_FALSE(result.diagnostics.hasErrors()) << result.diagnostics.str();
  return result.task.value_or(Task{});
}

}  // namespace hangar::config::testing
