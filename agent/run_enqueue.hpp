#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "agent/run_request_message.hpp"
#include "agent/service_state.hpp"

namespace hangar::agent {

/// Puts `message` on the queue (issuing its run id when empty), then records it as a Queued run in
/// the store unless the claiming agent did first. In that order a crash between the two loses nothing
/// and duplicates nothing: the agent creates a missing row when it claims the request. Returns the
/// run id.
std::string enqueueRun(ServiceState& state, RunRequestMessage message);

/// Copies the run's log to `out` as it grows until the run has ended (every byte once) and returns
/// the final stored run. Throws std::invalid_argument when the store has no such run.
StoredRun followRun(ServiceState& state, const std::string& runId, std::ostream& out);

/// Asks for the run to be canceled: a queued request is removed and the run marked Canceled at
/// once; a running one gets a cancel file its slot watches. Returns the run as stored afterwards.
/// Throws std::invalid_argument when there is no such run or it has ended already.
StoredRun requestCancel(ServiceState& state, const std::string& runId);

}  // namespace hangar::agent
