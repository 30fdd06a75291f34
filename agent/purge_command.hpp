#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "runner/log_sink.hpp"

namespace hangar::agent {

/// Runs `acr purge ARGS...` natively (registry-and-purge.md §1): `args` are the words after "purge"
/// (--registry, --filter..., --ago, --keep, --untagged, --untagged-only, --dry-run, --include-locked,
/// --concurrency, -u/-p, --config..., and Hangar's --agent-config agent.yaml: the `registries:` entry whose
/// host is the registry gives its login, unless -u/-p are given, resolved as a run resolves it (a failure
/// is an error naming the registry and the entry's position), its `insecure` flag, and the file's
/// `caBundle`; without a login there the docker config applies as usual). Writes acr purge's lines to `out`
/// and "Error: ..." to `err`; returns acr purge's exit code (0, or 1 on any error).
int runPurgeCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/// The same for a task step (`cmd: acr purge ...`): every output line goes to `log` as step `stepId`'s
/// output.
int runPurgeCommand(const std::vector<std::string>& args, runner::LogSink& log, const std::string& stepId);

/// True for the acr-cli image (`mcr.microsoft.com/acr/acr-cli` with any tag or digest, or a bare `acr`
/// when aliases were not expanded): the image `cmd: acr ...` steps run.
bool isAcrCliImage(const std::string& image);

/// The runner's in-process command (runner::RunRequest::inProcessCommand) for a run: a cmd step of the
/// acr-cli image whose first argument is `purge` runs runPurgeCommand natively, with the run's registry
/// as the default `--registry` and `dockerConfig` (the run's credentials; none: the default docker
/// config) as `--config` unless the step gives -u/-p or --config; anything else returns nullopt (the
/// container runs).
std::optional<int> runAcrCliStep(const std::string& image, const std::vector<std::string>& args,
                                 const std::string& stepId, runner::LogSink& log,
                                 const std::string& runRegistry,
                                 const std::optional<std::filesystem::path>& dockerConfig);

}  // namespace hangar::agent
