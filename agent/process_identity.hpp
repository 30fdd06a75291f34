#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hangar::agent {

/// A process, told apart from a later process that reuses its PID by its start time (clock ticks
/// after boot, /proc/PID/stat field 22). Written "PID.START" in spool file names.
struct ProcessIdentity {
  pid_t pid = 0;
  std::uint64_t startTime = 0;

  /// This process.
  static ProcessIdentity self();
  /// The identity of a running process, or nothing when there is no such process.
  static std::optional<ProcessIdentity> of(pid_t pid);
  /// Reads "PID.START"; nothing when `text` is not of that form.
  static std::optional<ProcessIdentity> parse(std::string_view text);

  /// "PID.START".
  std::string str() const;
  /// True while this very process runs (a zombie or a reused PID counts as gone).
  bool alive() const;

  bool operator==(const ProcessIdentity&) const = default;
};

}  // namespace hangar::agent
