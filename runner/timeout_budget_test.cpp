#include "runner/timeout_budget.hpp"

#include <gtest/gtest.h>

namespace hangar::runner {
namespace {

config::Step step(std::string id, int timeout, std::vector<std::string> when = {}, int startDelay = 0) {
  config::Step s;
  s.id = std::move(id);
  s.timeout = timeout;
  s.when = std::move(when);
  s.startDelay = startDelay;
  return s;
}

TEST(TimeoutBudget, ParallelBranchesCountTheirLongestOnly) {
  // a(100) and b(300) in parallel, c(50) after both, with a 10 s start delay.
  const std::vector<config::Step> steps = {step("a", 100, {"-"}), step("b", 300, {"-"}),
                                           step("c", 50, {"a", "b"}, 10)};
  const auto graph = StepGraph::build(steps);
  EXPECT_EQ(longestPathSeconds(graph, steps), 360);
  EXPECT_EQ(timeoutBudgetWarning(graph, steps, 360), std::nullopt);
  EXPECT_EQ(timeoutBudgetWarning(graph, steps, 359),
            "the step timeouts on the longest path of the task add up to 360 s, more than the run timeout "
            "of 359 s: a slow step may be stopped by the run timeout before its own");
}

TEST(TimeoutBudget, SequentialStepsAddUp) {
  const std::vector<config::Step> steps = {step("a", 600), step("b", 600), step("c", 600)};
  EXPECT_EQ(longestPathSeconds(StepGraph::build(steps), steps), 1800);
  EXPECT_EQ(longestPathSeconds(StepGraph::build({}), {}), 0);
}

}  // namespace
}  // namespace hangar::runner
