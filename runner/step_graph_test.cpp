#include "runner/step_graph.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>

namespace hangar::runner {
namespace {

config::Step step(std::string id, std::vector<std::string> when = {}) {
  config::Step s;
  s.id = std::move(id);
  s.when = std::move(when);
  return s;
}

// The graph of acr-builder's graph/testdata/acb.yaml, whose header documents it.
std::vector<config::Step> acbGraphSteps() {
  return {step("puller"),   step("build-qux", {"-"}),         step("C", {"-"}), step("build-bar", {"-"}),
          step("B", {"C"}), step("build-foo", {"build-qux"}), step("build-qaz")};
}

TEST(StepGraph, BuildsTheGraphOfAcrBuildersTestData) {
  auto steps = acbGraphSteps();
  StepGraph graph = StepGraph::build(steps);
  EXPECT_EQ(graph.describe(steps),
            "root -> puller, build-qux, C, build-bar\n"
            "build-qux -> build-foo\n"
            "C -> B\n"
            "build-foo -> build-qaz\n");
}

TEST(StepGraph, NoWhenMeansAfterThePreviousStepEvenWhenThatOneWasParallel) {
  // build-test-update-hello-world.yaml: hello-world depends only on the second build.
  std::vector<config::Step> steps = {step("b1", {"-"}), step("b2", {"-"}), step("hello-world")};
  StepGraph graph = StepGraph::build(steps);
  EXPECT_EQ(graph.parents(2), std::vector<size_t>{1});
  EXPECT_TRUE(graph.parents(0).empty());
  EXPECT_TRUE(graph.parents(1).empty());
}

TEST(StepGraph, TheFirstStepHangsFromTheRootAndEmptyWhenActsLikeNone) {
  std::vector<config::Step> steps = {step("a"), step("b", {})};
  StepGraph graph = StepGraph::build(steps);
  EXPECT_TRUE(graph.parents(0).empty());
  EXPECT_EQ(graph.parents(1), std::vector<size_t>{0});
}

TEST(StepGraph, RejectsForwardAndUnknownReferences) {
  EXPECT_THROW(StepGraph::build({step("a", {"b"}), step("b")}), std::invalid_argument);
  EXPECT_THROW(StepGraph::build({step("a", {"nope"})}), std::invalid_argument);
  EXPECT_THROW(StepGraph::build({step("a", {"a"})}), std::invalid_argument);
}

TEST(RunStepGraph, RootStepsRunTogetherAndAChildWaitsForAllItsParents) {
  std::vector<config::Step> steps = {step("a", {"-"}), step("b", {"-"}), step("c", {"a", "b"})};
  StepGraph graph = StepGraph::build(steps);
  std::mutex mutex;
  std::condition_variable cv;
  int started = 0;
  std::vector<std::string> order;
  auto outcomes = runStepGraph(graph, 4,
                               [&](size_t i, std::stop_token) {
                                 std::unique_lock lock(mutex);
                                 order.push_back(steps[i].id);
                                 if (i < 2) {
                                   // Each root step waits until the other has started: only possible if they
                                   // overlap.
                                   ++started;
                                   cv.notify_all();
                                   cv.wait(lock, [&] { return started == 2; });
                                 }
                                 return StepOutcome::Succeeded;
                               },
                               {});
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[2], "c");
  for (const auto& outcome : outcomes) EXPECT_EQ(outcome, StepOutcome::Succeeded);
}

TEST(RunStepGraph, WorkerCountBoundsHowManyRunAtOnce) {
  std::vector<config::Step> steps;
  for (int i = 0; i < 8; ++i) steps.push_back(step("s" + std::to_string(i), {"-"}));
  StepGraph graph = StepGraph::build(steps);
  std::mutex mutex;
  std::condition_variable cv;
  int running = 0;
  int most = 0;
  int started = 0;
  runStepGraph(graph, 2,
               [&](size_t, std::stop_token) {
                 std::unique_lock lock(mutex);
                 most = std::max(most, ++running);
                 ++started;
                 cv.notify_all();
                 // Hold the slot until a second step runs beside it (or the last one is alone).
                 cv.wait_for(lock, std::chrono::seconds(5), [&] { return running >= 2 || started == 8; });
                 --running;
                 return StepOutcome::Succeeded;
               },
               {});
  EXPECT_EQ(most, 2);
}

TEST(RunStepGraph, TheFirstFailureStopsRunningStepsAndStartsNoNewOnes) {
  // a fails; b (parallel) is running and must be asked to stop; c (after b) never starts.
  std::vector<config::Step> steps = {step("a", {"-"}), step("b", {"-"}), step("c", {"b"})};
  StepGraph graph = StepGraph::build(steps);
  std::mutex mutex;
  std::condition_variable cv;
  bool bStarted = false;
  auto outcomes = runStepGraph(graph, 4,
                               [&](size_t i, std::stop_token stop) {
                                 if (i == 0) {
                                   std::unique_lock lock(mutex);
                                   cv.wait(lock, [&] { return bStarted; });
                                   return StepOutcome::Failed;
                                 }
                                 {
                                   std::lock_guard lock(mutex);
                                   bStarted = true;
                                 }
                                 cv.notify_all();
                                 std::mutex own;
                                 std::unique_lock lock(own);
                                 std::condition_variable_any stopped;
                                 stopped.wait(lock, stop, [] { return false; });
                                 return StepOutcome::Canceled;
                               },
                               {});
  EXPECT_EQ(outcomes[0], StepOutcome::Failed);
  EXPECT_EQ(outcomes[1], StepOutcome::Canceled);
  EXPECT_FALSE(outcomes[2].has_value());
}

TEST(RunStepGraph, IgnoredFailuresLetChildrenRun) {
  std::vector<config::Step> steps = {step("a"), step("b")};
  auto outcomes = runStepGraph(
      StepGraph::build(steps), 1,
      [&](size_t i, std::stop_token) { return i == 0 ? StepOutcome::Ignored : StepOutcome::Succeeded; }, {});
  EXPECT_EQ(outcomes[1], StepOutcome::Succeeded);
}

TEST(RunStepGraph, AStoppedRunStartsNothing) {
  std::stop_source stop;
  stop.request_stop();
  std::vector<config::Step> steps = {step("a")};
  auto outcomes = runStepGraph(
      StepGraph::build(steps), 1, [&](size_t, std::stop_token) { return StepOutcome::Succeeded; },
      stop.get_token());
  EXPECT_FALSE(outcomes[0].has_value());
}

}  // namespace
}  // namespace hangar::runner
