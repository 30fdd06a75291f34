#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace hangar::runner {

/// Splits output fed in chunks of any size into lines, keeping at most the first 256 bytes of each: for
/// watchers that only ever look at short lines (an engine's failure message, an image ID), so a huge line
/// costs no memory.
class LineSplitter {
 public:
  static constexpr std::size_t kMaxLine = 256;

  /// Calls `onLine(std::string_view)` with each line `chunk` finishes, without its newline.
  template <typename OnLine>
  void feed(std::string_view chunk, OnLine&& onLine) {
    while (!chunk.empty()) {
      const auto newline = chunk.find('\n');
      pending_.append(chunk.substr(0, std::min(newline, kMaxLine - std::min(kMaxLine, pending_.size()))));
      if (newline == std::string_view::npos) return;
      onLine(std::string_view(pending_));
      pending_.clear();
      chunk.remove_prefix(newline + 1);
    }
  }
  /// The line begun and not finished yet (its first 256 bytes).
  const std::string& pending() const { return pending_; }
  void reset() { pending_.clear(); }

 private:
  std::string pending_;
};

}  // namespace hangar::runner
