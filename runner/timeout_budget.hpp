#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/task.hpp"
#include "runner/step_graph.hpp"

namespace hangar::runner {

/// The longest a chain of steps may take by their own limits: the largest sum of startDelay +
/// timeout along any path of the `when` graph (parallel branches count once, their longest).
long long longestPathSeconds(const StepGraph& graph, const std::vector<config::Step>& steps);

/// A warning when the run timeout cannot hold the steps' own timeouts on the longest path
/// (acr-builder#678: the run is then killed by the run timeout, not by the step's); nothing when it can.
std::optional<std::string> timeoutBudgetWarning(const StepGraph& graph,
                                                const std::vector<config::Step>& steps,
                                                int runTimeoutSeconds);

}  // namespace hangar::runner
