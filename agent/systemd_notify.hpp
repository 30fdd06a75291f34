#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace hangar::agent {

/// Sends `state` (e.g. "READY=1\nSTATUS=idle") to systemd over the $NOTIFY_SOCKET datagram socket
/// (path or '@' abstract name), the sd_notify protocol. False when there is no socket or sending
/// failed; never throws (the service keeps running without systemd).
bool systemdNotify(std::string_view state);

/// Half of $WATCHDOG_USEC (when set for this process), the interval to send WATCHDOG=1 at.
std::optional<std::chrono::milliseconds> systemdWatchdogInterval();

}  // namespace hangar::agent
