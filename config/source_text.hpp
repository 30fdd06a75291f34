#pragma once

#include <string>
#include <vector>

#include "config/line_map.hpp"

namespace hangar::config {

/// Task text on its way through the preprocessor, with the map from each of its lines to the line of
/// the task file it came from. Every line ends with '\n'.
struct SourceText {
  std::string text;
  LineMap lines;
};

/// The map of a text made from `input` by a step that reports, for each output line, the 1-based
/// input line it came from (as the template renderer does).
inline LineMap composeLines(const LineMap& input, const std::vector<int>& origins) {
  LineMap out{input.file, {}};
  out.originalLine.reserve(origins.size());
  for (int origin : origins) out.originalLine.push_back(input.map(origin, 0).line);
  return out;
}

}  // namespace hangar::config
