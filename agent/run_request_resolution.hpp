#pragma once

#include "agent/run_options.hpp"
#include "agent/run_request_message.hpp"
#include "config/agent_config.hpp"

namespace hangar::agent {

/// Turns a queued request into the options of one run: a task of the configuration by name (file,
/// quick build or cmd, with its context, registry, values and timeout) or an ad-hoc task file with its
/// context; the request's --set pairs come last. Engine, mirrors and credentials come from `config`.
/// Throws UsageError when the named task is not configured or is disabled.
RunOnceOptions resolveRunOptions(const config::AgentConfig& config, const RunRequestMessage& message);

}  // namespace hangar::agent
