#pragma once

#include <stop_token>

#include "agent/run_options.hpp"

namespace hangar::agent {

/// Runs one task in the foreground (`hangar run-once`, `hangar build`): loads and validates it,
/// runs it, streams the log and prints the summary (or, with --output json, the run record on
/// stdout and the log on stderr). Returns the exit code: 0 succeeded, 1 failed, 2 invalid input.
int runOnce(const RunOnceOptions& options, std::stop_token stop);

}  // namespace hangar::agent
