#include "runner/transient_engine_failure.hpp"

#include <array>

namespace hangar::runner {

namespace {

// Lines longer than this are never a re-exec failure message; only their start is kept.
constexpr size_t kMaxLine = 256;

// What containers/storage's pkg/unshare prints when re-executing the engine fails (buildah 1.28 and
// later spell the first one with a stray "Close_Fd", earlier ones with "Error").
constexpr std::array kFailurePrefixes = {
    std::string_view("Close_Fd sealing memfd copy: "),
    std::string_view("Error sealing memfd copy: "),
    std::string_view("Error during reexec(...): "),
};

}  // namespace

bool TransientEngineFailure::isFailureLine(std::string_view line) {
  if (line.ends_with('\r')) line.remove_suffix(1);
  for (const auto prefix : kFailurePrefixes) {
    if (line.starts_with(prefix) && line.size() > prefix.size()) return true;
  }
  // A build whose layers were all cached commits to an existing image, which a concurrent `buildah rmi`
  // of that image's other name may delete at that moment (seen on a CI run).
  return line.starts_with("Error: ") &&
         line.find(": committing the finished image: ") != std::string_view::npos &&
         line.ends_with(": image not known");
}

bool TransientEngineFailure::isEngineErrorLine(std::string_view line) {
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line.starts_with("Error: ") || line.starts_with("error running ") ||
         line.starts_with("subprocess exited with status ");
}

bool TransientEngineFailure::onlyEngineOutput() const {
  // An unfinished last line counts as the command's unless it is one of the engine's.
  return seen_ && !otherOutput_ && (line_.empty() || isFailureLine(line_) || isEngineErrorLine(line_));
}

void TransientEngineFailure::feed(std::string_view chunk) {
  while (!chunk.empty()) {
    const auto newline = chunk.find('\n');
    const auto piece = chunk.substr(0, newline);
    line_.append(piece.substr(0, kMaxLine - std::min(kMaxLine, line_.size())));
    if (newline == std::string_view::npos) return;
    finishLine();
    chunk.remove_prefix(newline + 1);
  }
}

void TransientEngineFailure::finishLine() {
  if (isFailureLine(line_)) {
    seen_ = true;
  } else if (!line_.empty() && !isEngineErrorLine(line_)) {
    otherOutput_ = true;
  }
  line_.clear();
}

void TransientEngineFailure::reset() {
  line_.clear();
  seen_ = false;
  otherOutput_ = false;
}

}  // namespace hangar::runner
