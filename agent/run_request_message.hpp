#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::agent {

/// A request to run a task, as put on a queue by `hangar enqueue`, a timer or a trigger: either a
/// task of the agent configuration by name, or an ad-hoc task file with its context.
struct RunRequestMessage {
  std::string runId;                // [a-z0-9]+, also part of the spool file name
  std::optional<std::string> task;  // a task of agent.yaml
  std::string taskFile;             // an ad-hoc task file (relative to the context)
  std::string context;              // directory, git URL, or /dev/null
  std::string registry;
  std::vector<std::string> sets;  // K=V, like --set
  std::string trigger = "queue";  // manual, queue, timer, commit, image
  int attempts = 0;               // failed attempts so far
  /// Set only on a message claimed from a file that could not be read: why. The service records a
  /// failed run with this reason (runId is then taken from the file name, or empty).
  std::string malformedReason;

  /// The queue's wire form; malformedReason is not part of it.
  nlohmann::json toJson() const;
  /// Reads toJson()'s form; throws std::invalid_argument with a clear reason ("run request: ...").
  static RunRequestMessage fromJson(const nlohmann::json& json);
  /// Parses JSON text, as fromJson(); a syntax error is an std::invalid_argument too.
  static RunRequestMessage parse(std::string_view text);
};

/// True when `id` can be a run id: 1 to 64 characters of [a-z0-9].
bool isValidRunId(std::string_view id);

}  // namespace hangar::agent
