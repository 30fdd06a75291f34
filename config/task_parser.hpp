#pragma once

#include <optional>
#include <string_view>

#include "config/diagnostic.hpp"
#include "config/line_map.hpp"
#include "config/task.hpp"

namespace hangar::config {

/// Parses preprocessed task text (comments stripped, aliases and templates already expanded) into a Task,
/// applies acr-builder's defaults, and validates it. Positions are mapped through `lines` back to the file.
/// Returns nullopt when there are errors; all errors and warnings are appended to `diagnostics`.
std::optional<Task> parseTask(std::string_view text, const LineMap& lines, Diagnostics& diagnostics);

}  // namespace hangar::config
