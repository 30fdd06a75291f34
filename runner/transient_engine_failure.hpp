#pragma once

#include <string_view>

#include "runner/line_splitter.hpp"

namespace hangar::runner {

/// Watches an engine process's output, chunk by chunk, for a failure of buildah (or podman) itself that
/// says nothing about the step and goes away when the engine runs again:
///  - its re-exec before a container's command starts: containers/storage copies the binary into a sealed
///    memfd, and sealing fails now and then with EBUSY ("Close_Fd sealing memfd copy: Device or resource
///    busy"); the command never ran, so starting the container again is safe;
///  - a build's commit that lost its (cached) image to a concurrent `buildah rmi`; a build can run again.
class TransientEngineFailure {
 public:
  void feed(std::string_view chunk);
  /// True once a line of the output was such a failure (a build may run again).
  bool seen() const { return seen_; }
  /// True when such a failure was seen and nothing else was printed but the engine's own error lines
  /// ("Error: ...", "subprocess exited with status N", "error running ..."): no output of the step's
  /// command on either stream, in any order (stdout and stderr are separate pipes, so which came first
  /// is unknown). The command never ran: its container may start again.
  bool onlyEngineOutput() const;
  /// Forgets what was seen: the next attempt starts clean.
  void reset();

  /// True when `line` (without its newline) is one of those failure messages.
  static bool isFailureLine(std::string_view line);
  /// True when `line` is what buildah prints of its own when a container or its command fails.
  static bool isEngineErrorLine(std::string_view line);

 private:
  LineSplitter lines_;  // 256 bytes of a line are enough for any failure message
  bool seen_ = false;
  bool otherOutput_ = false;  // a finished line that is neither a failure nor an engine error line
};

}  // namespace hangar::runner
