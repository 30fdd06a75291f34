#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "runner/log_sink.hpp"

namespace hangar::agent {

/// Runs `acr purge ARGS...` natively (registry-and-purge.md §1): `args` are the words after "purge"
/// (--registry, --filter..., --ago, --keep, --untagged, --untagged-only, --dry-run, --include-locked,
/// --concurrency, -u/-p, --config...). Writes acr purge's lines to `out` and "Error: ..." to `err`; returns
/// acr purge's exit code (0, or 1 on any error).
int runPurgeCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/// The same for a task step (`cmd: acr purge ...`): every output line goes to `log` as step `stepId`'s
/// output.
int runPurgeCommand(const std::vector<std::string>& args, runner::LogSink& log, const std::string& stepId);

}  // namespace hangar::agent
