#pragma once

// Helpers for the spool queue tests.

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/run_request_message.hpp"

namespace hangar::agent::testing {

/// A request for configured task "web" with run id `id`.
inline RunRequestMessage request(const std::string& id, const std::string& task = "web") {
  RunRequestMessage message;
  message.runId = id;
  message.task = task;
  message.context = "/dev/null";
  message.sets = {"env=test"};
  return message;
}

/// The names of the entries of `directory`, sorted.
inline std::vector<std::string> entries(const std::filesystem::path& directory) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace hangar::agent::testing
