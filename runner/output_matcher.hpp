#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hangar::runner {

/// Watches a process's output, chunk by chunk, for any of a few substrings (a step's retryOnErrors):
/// a pattern split across two chunks still matches, and only a tail as long as the longest pattern
/// is kept in memory. An empty pattern matches any output, as Go's strings.Contains does.
class OutputMatcher {
 public:
  explicit OutputMatcher(std::vector<std::string> patterns);

  void feed(std::string_view chunk);
  /// True once some pattern has appeared since construction or the last reset().
  bool matched() const { return matched_; }
  /// Forgets what was seen: the next attempt starts clean.
  void reset();

 private:
  std::vector<std::string> patterns_;
  size_t keep_ = 0;  // longest pattern length minus one: the tail that can still start a match
  std::string tail_;
  bool matched_ = false;
};

}  // namespace hangar::runner
