#pragma once

#include <filesystem>

namespace hangar::agent {

/// `hangar run`: the service. Loads the configuration, recovers what a dead agent left (claims put
/// back, runs it left Running marked Queued again or Failed when parked), then claims requests into
/// `slots` parallel runs and fires cron timers until SIGTERM/SIGINT (drain: no new claims, running runs
/// get shutdownTimeout, then are stopped and queued again) or a second one / SIGQUIT (stop and requeue
/// at once). SIGHUP reloads the configuration (a bad file is logged and the old one kept). Talks to
/// systemd (READY, STATUS, STOPPING, WATCHDOG) when NOTIFY_SOCKET is set. Returns the exit code:
/// 0 after a clean stop, 2 for a bad configuration, 1 when the state cannot be opened.
int runService(const std::filesystem::path& configPath);

}  // namespace hangar::agent
