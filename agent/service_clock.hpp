#pragma once

#include <chrono>
#include <functional>

namespace hangar::agent {

/// The service's notion of "now" (timers, next fire times). Production: the system clock.
/// Test-only seam: when `HANGAR_TEST_CLOCK_FILE` names a file, now() is the RFC 3339 time written in
/// it (re-read on every call, so a test moves time by rewriting the file); never set it in production.
using ServiceClock = std::function<std::chrono::system_clock::time_point()>;

/// The clock described above, chosen from the environment once.
ServiceClock makeServiceClock();

/// True when the clock comes from HANGAR_TEST_CLOCK_FILE (the timer loop then re-reads it often).
bool usingTestClock();

}  // namespace hangar::agent
