#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "agent/run_options.hpp"

namespace hangar::agent {

/// `hangar validate`: loads each task file as run-once would (templates rendered with the given
/// values, empty where missing) and prints every problem as FILE:LINE:COL. Returns 0 when all are
/// valid, 2 otherwise.
int validateTaskFiles(const std::vector<std::string>& files, const RunOnceOptions& options, std::ostream& out,
                      std::ostream& err);

/// `hangar render`: prints the task after the alias and template passes, secret values masked.
/// Returns 0, or 2 when the task cannot be rendered.
int renderTaskFile(const RunOnceOptions& options, std::ostream& out, std::ostream& err);

}  // namespace hangar::agent
