#pragma once

// Finding a step's output in a run log, whatever time stamp or step prefix the log puts before it.

#include <cstddef>
#include <optional>
#include <string>

namespace hangar::test {

/// The index (0-based) of the first line at or after `from` whose text, trailing blanks removed, is
/// `word` or ends with a blank, ':' or '|' followed by `word`; nothing when there is none.
std::optional<std::size_t> line_ending_with(const std::string& log, const std::string& word,
                                            std::size_t from = 0);

/// The first line that contains `text`; empty when none does.
std::string line_containing(const std::string& log, const std::string& text);

}  // namespace hangar::test
