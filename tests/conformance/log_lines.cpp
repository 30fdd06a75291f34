#include "tests/conformance/log_lines.hpp"

#include <sstream>

namespace hangar::test {

std::optional<std::size_t> line_ending_with(const std::string& log, const std::string& word,
                                            std::size_t from) {
  std::istringstream lines(log);
  std::string line;
  for (std::size_t index = 0; std::getline(lines, line); ++index) {
    if (index < from) continue;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t'))
      line.pop_back();
    if (line.size() < word.size() || line.compare(line.size() - word.size(), word.size(), word) != 0)
      continue;
    if (line.size() == word.size()) return index;
    const char before = line[line.size() - word.size() - 1];
    if (before == ' ' || before == '\t' || before == ':' || before == '|') return index;
  }
  return std::nullopt;
}

std::string line_containing(const std::string& log, const std::string& text) {
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line))
    if (line.find(text) != std::string::npos) return line;
  return {};
}

}  // namespace hangar::test
