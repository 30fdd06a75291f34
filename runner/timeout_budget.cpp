#include "runner/timeout_budget.hpp"

#include <algorithm>

namespace hangar::runner {

long long longestPathSeconds(const StepGraph& graph, const std::vector<config::Step>& steps) {
  // Parents always come earlier in the file, so file order is a topological order.
  std::vector<long long> finish(graph.size(), 0);
  long long longest = 0;
  for (size_t i = 0; i < graph.size(); ++i) {
    long long start = 0;
    for (size_t parent : graph.parents(i)) start = std::max(start, finish[parent]);
    finish[i] = start + std::max(0, steps[i].startDelay) + std::max(0, steps[i].timeout);
    longest = std::max(longest, finish[i]);
  }
  return longest;
}

std::optional<std::string> timeoutBudgetWarning(const StepGraph& graph,
                                                const std::vector<config::Step>& steps,
                                                int runTimeoutSeconds) {
  const long long longest = longestPathSeconds(graph, steps);
  if (longest <= runTimeoutSeconds) return std::nullopt;
  return "the step timeouts on the longest path of the task add up to " + std::to_string(longest) +
         " s, more than the run timeout of " + std::to_string(runTimeoutSeconds) +
         " s: a slow step may be stopped by the run timeout before its own";
}

}  // namespace hangar::runner
