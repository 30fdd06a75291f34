#pragma once

// Helpers for the agent configuration tests: parse a text and look for a diagnostic at a position.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "config/agent_config.hpp"

namespace hangar::config::testing {

/// The outcome of parsing one agent.yaml text.
struct AgentParse {
  std::optional<AgentConfig> config;
  Diagnostics diagnostics;
};

inline AgentParse parseAgent(std::string_view text) {
  AgentParse result;
  result.config = parseAgentConfig(text, "agent.yaml", result.diagnostics);
  return result;
}

/// Parses a text that must be valid and returns its configuration.
inline AgentConfig validAgent(std::string_view text) {
  AgentParse result = parseAgent(text);
  EXPECT_TRUE(result.config.has_value()) << result.diagnostics.str();
  return result.config.value_or(AgentConfig{});
}

/// Success when `result` failed with an error at line:column whose message contains `substring`.
inline ::testing::AssertionResult failsAt(const AgentParse& result, int line, int column,
                                          std::string_view substring) {
  if (result.config) return ::testing::AssertionFailure() << "the text parsed without errors";
  for (const Diagnostic& d : result.diagnostics.all()) {
    if (d.severity == Severity::Error && d.position.file == "agent.yaml" && d.position.line == line &&
        d.position.column == column && d.message.find(substring) != std::string::npos)
      return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "no error at " << line << ":" << column << " containing \"" << substring << "\"; diagnostics:\n"
         << result.diagnostics.str();
}

}  // namespace hangar::config::testing
