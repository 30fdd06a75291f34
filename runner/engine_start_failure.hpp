#pragma once

#include <string>
#include <string_view>

namespace hangar::runner {

/// Watches an engine process's output, chunk by chunk, for buildah's (and podman's) own failure to
/// re-execute itself before a container's command starts: containers/storage copies its binary into a
/// sealed memfd there, and sealing fails now and then with EBUSY while the kernel still holds the copy's
/// pages ("Close_Fd sealing memfd copy: Device or resource busy"). Such a failure is transient and says
/// nothing about the step: the command never ran, so starting the container again is safe. Also a
/// build's commit that lost its (cached) image to a concurrent `buildah rmi`: the build can run again.
class EngineStartFailure {
 public:
  void feed(std::string_view chunk);
  /// True once a line of the output was such a failure.
  bool seen() const { return seen_; }
  /// True when such a failure came before any other output: nothing of the step's command ran.
  bool beforeAnyOtherOutput() const { return seen_ && !otherOutputFirst_; }
  /// Forgets what was seen: the next attempt starts clean.
  void reset();

  /// True when `line` (without its newline) is one of the re-exec failure messages.
  static bool isFailureLine(std::string_view line);

 private:
  void finishLine();

  std::string line_;  // the line being read: its first 256 bytes, enough for any failure message
  bool seen_ = false;
  bool otherOutputFirst_ = false;
};

}  // namespace hangar::runner
