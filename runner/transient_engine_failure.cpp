#include "runner/transient_engine_failure.hpp"

#include <array>

namespace hangar::runner {

namespace {

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
  const auto& pending = lines_.pending();
  return seen_ && !otherOutput_ && (pending.empty() || isFailureLine(pending) || isEngineErrorLine(pending));
}

void TransientEngineFailure::feed(std::string_view chunk) {
  lines_.feed(chunk, [this](std::string_view line) {
    if (isFailureLine(line)) {
      seen_ = true;
    } else if (!line.empty() && !isEngineErrorLine(line)) {
      otherOutput_ = true;
    }
  });
}

void TransientEngineFailure::reset() {
  lines_.reset();
  seen_ = false;
  otherOutput_ = false;
}

}  // namespace hangar::runner
