#pragma once

// Start and finish times of a run record's steps (RFC 3339 in `--output json`), for ordering and overlap.

#include <chrono>
#include <nlohmann/json.hpp>

namespace hangar::test {

using Clock = std::chrono::system_clock;

/// A step's [start, finish] interval; throws std::invalid_argument naming the step when either time is
/// missing or not RFC 3339.
struct StepInterval {
  Clock::time_point start;
  Clock::time_point finish;

  static StepInterval of(const nlohmann::json& step);
};

/// True when `a` finished no later than `b` started.
bool finished_before_start(const StepInterval& a, const StepInterval& b);

/// True when both intervals were running at one moment: each started before the other finished.
bool overlap(const StepInterval& a, const StepInterval& b);

}  // namespace hangar::test
