#pragma once

#include <vector>

#include "config/diagnostic.hpp"
#include "config/step_parser.hpp"
#include "config/task.hpp"

namespace hangar::config {

/// Checks that need all the steps of a task: ids are unique (a given id may clash with a generated
/// acb_step_N), every `when` entry names a step defined earlier in the file, and every volume mount
/// names a volume of the task. Errors are reported at the positions kept in each ParsedStep.
void validateSteps(const std::vector<ParsedStep>& steps, const std::vector<VolumeSpec>& volumes,
                   Diagnostics& diagnostics);

}  // namespace hangar::config
