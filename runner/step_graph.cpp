#include "runner/step_graph.hpp"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace hangar::runner {

StepGraph StepGraph::build(const std::vector<config::Step>& steps) {
  StepGraph graph;
  graph.parents_.resize(steps.size());
  graph.children_.resize(steps.size());
  std::map<std::string, size_t> earlier;
  for (size_t i = 0; i < steps.size(); ++i) {
    const config::Step& step = steps[i];
    auto addEdge = [&](size_t parent) {
      graph.parents_[i].push_back(parent);
      graph.children_[parent].push_back(i);
    };
    if (step.when.size() == 1 && step.when[0] == "-") {
      // from the root: no parents
    } else if (step.when.empty()) {
      if (i > 0) addEdge(i - 1);
    } else {
      for (const auto& id : step.when) {
        auto found = earlier.find(id);
        if (found == earlier.end())
          throw std::invalid_argument("step '" + step.id + "': when names '" + id +
                                      "', which is not a step defined before it");
        addEdge(found->second);
      }
    }
    earlier[step.id] = i;
  }
  return graph;
}

std::string StepGraph::describe(const std::vector<config::Step>& steps) const {
  std::string out;
  auto line = [&](const std::string& from, const std::vector<size_t>& to) {
    if (to.empty()) return;
    out += from + " ->";
    for (size_t i = 0; i < to.size(); ++i) out += (i ? ", " : " ") + steps[to[i]].id;
    out += "\n";
  };
  std::vector<size_t> roots;
  for (size_t i = 0; i < size(); ++i)
    if (parents_[i].empty()) roots.push_back(i);
  line("root", roots);
  for (size_t i = 0; i < size(); ++i) line(steps[i].id, children_[i]);
  return out;
}

std::vector<std::optional<StepOutcome>> runStepGraph(
    const StepGraph& graph, size_t workers, const std::function<StepOutcome(size_t, std::stop_token)>& step,
    std::stop_token runStop) {
  std::vector<std::optional<StepOutcome>> outcomes(graph.size());
  std::vector<size_t> waitingFor(graph.size());
  std::deque<size_t> ready;
  for (size_t i = 0; i < graph.size(); ++i) {
    waitingFor[i] = graph.parents(i).size();
    if (waitingFor[i] == 0) ready.push_back(i);
  }

  std::mutex mutex;
  std::condition_variable changed;
  std::stop_source stepsStop;  // asked to stop on the first failure, or when the run is stopped
  std::stop_callback forwardRunStop(runStop, [&] {
    stepsStop.request_stop();
    std::lock_guard lock(mutex);
    changed.notify_all();
  });
  size_t running = 0;
  bool failed = false;
  std::vector<std::jthread> threads;

  std::unique_lock lock(mutex);
  for (;;) {
    while (!failed && !stepsStop.stop_requested() && !ready.empty() &&
           running < std::max<size_t>(workers, 1)) {
      size_t index = ready.front();
      ready.pop_front();
      ++running;
      threads.emplace_back([&, index] {
        StepOutcome outcome = step(index, stepsStop.get_token());
        std::lock_guard guard(mutex);
        outcomes[index] = outcome;
        --running;
        if (outcome == StepOutcome::Succeeded || outcome == StepOutcome::Ignored) {
          for (size_t child : graph.children(index))
            if (--waitingFor[child] == 0) ready.push_back(child);
        } else if (!failed) {
          failed = true;
          stepsStop.request_stop();
        }
        changed.notify_all();
      });
    }
    bool canStartMore = !failed && !stepsStop.stop_requested() && !ready.empty();
    if (running == 0 && !canStartMore) break;
    changed.wait(lock);
  }
  lock.unlock();
  threads.clear();  // joins
  return outcomes;
}

}  // namespace hangar::runner
