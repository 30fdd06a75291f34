#pragma once

namespace hangar::agent {

/// Sets spdlog's default logger for the service: stderr, and with `<N>` syslog level prefixes
/// (`<3>` error ... `<7>` debug) instead of time stamps when $JOURNAL_STREAM is set (journald).
void setUpServiceLogging();

}  // namespace hangar::agent
