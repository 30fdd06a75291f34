#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "config/task.hpp"

namespace hangar::runner {

/// The `when` graph of a task, built exactly as acr-builder builds it (§2.3): `["-"]` hangs a step
/// from the root; no `when` means "after the step just before it in the file" (even when that one
/// was parallel); `when: [a, b]` means after a and b, which must come earlier in the file.
class StepGraph {
 public:
  /// Throws std::invalid_argument on an unknown, later or own id (the parser reports these first).
  static StepGraph build(const std::vector<config::Step>& steps);

  size_t size() const { return parents_.size(); }
  /// Indexes (in file order) of the steps this one waits for; empty = starts at the root.
  const std::vector<size_t>& parents(size_t step) const { return parents_[step]; }
  const std::vector<size_t>& children(size_t step) const { return children_[step]; }
  /// One line per vertex with children, "root -> a, b" then "a -> c", for tests and dry runs.
  std::string describe(const std::vector<config::Step>& steps) const;

 private:
  std::vector<std::vector<size_t>> parents_;
  std::vector<std::vector<size_t>> children_;
};

/// How one step ended, as far as the graph is concerned.
enum class StepOutcome {
  Succeeded,  // its children may start
  Ignored,    // failed with ignoreErrors: its children may start
  Failed,     // stops the run: no new step starts, running ones are asked to stop
  Canceled,   // stopped because the run was stopped
};

/// Runs a graph's steps: a step starts as soon as every parent has succeeded (or failed with
/// ignoreErrors), at most `workers` at once. The first failure stops the scheduling and requests
/// stop on the token every running step got. Returns each step's outcome; steps never started are
/// absent (std::nullopt).
std::vector<std::optional<StepOutcome>> runStepGraph(
    const StepGraph& graph, size_t workers, const std::function<StepOutcome(size_t, std::stop_token)>& step,
    std::stop_token runStop);

}  // namespace hangar::runner
