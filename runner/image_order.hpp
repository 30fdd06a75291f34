#pragma once

#include <vector>

#include "config/diagnostic.hpp"
#include "config/task.hpp"
#include "runner/step_graph.hpp"

namespace hangar::runner {

/// A warning at each cmd step that runs an image a build step of the same task tags while neither step
/// waits for the other in the `when` graph: the cmd step then races the build and may run an older
/// image, or find none (ACR Tasks runs such a file the same way and says nothing). Steps whose
/// commands do not parse are left to the step itself to report.
config::Diagnostics unorderedImageWarnings(const StepGraph& graph, const std::vector<config::Step>& steps);

}  // namespace hangar::runner
