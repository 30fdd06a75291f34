#pragma once

#include <string>
#include <vector>

#include "config/diagnostic.hpp"

namespace hangar::config {

/// Maps a line of preprocessed text (comments stripped, aliases and templates expanded) back to
/// the line of the task file it came from, so errors name the line the user wrote.
struct LineMap {
  std::string file;
  std::vector<int> originalLine;  // index: 0-based line of the processed text; value: 1-based line

  /// The original position of a 1-based (line, column) in the processed text. Columns are kept as
  /// they are; a line past the end maps to the last known line.
  SourcePosition map(int line, int column) const {
    if (originalLine.empty() || line <= 0) return {file, line, column};
    size_t index = static_cast<size_t>(line - 1);
    if (index >= originalLine.size()) index = originalLine.size() - 1;
    return {file, originalLine[index], column};
  }

  /// The identity map of a text with `lines` lines.
  static LineMap identity(std::string file, int lines) {
    LineMap m{std::move(file), {}};
    for (int i = 1; i <= lines; ++i) m.originalLine.push_back(i);
    return m;
  }
};

}  // namespace hangar::config
