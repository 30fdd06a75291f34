#include "runner/output_matcher.hpp"

#include <algorithm>

namespace hangar::runner {

OutputMatcher::OutputMatcher(std::vector<std::string> patterns) : patterns_(std::move(patterns)) {
  for (const auto& pattern : patterns_) {
    if (!pattern.empty()) keep_ = std::max(keep_, pattern.size() - 1);
  }
}

void OutputMatcher::feed(std::string_view chunk) {
  if (matched_ || patterns_.empty()) return;
  std::string window = tail_;
  window.append(chunk);
  matched_ = std::any_of(patterns_.begin(), patterns_.end(), [&](const std::string& pattern) {
    return window.find(pattern) != std::string::npos;
  });
  tail_ = window.size() > keep_ ? window.substr(window.size() - keep_) : window;
}

void OutputMatcher::reset() {
  tail_.clear();
  matched_ = false;
}

}  // namespace hangar::runner
