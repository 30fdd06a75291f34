#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "agent/run_request_message.hpp"
#include "agent/service_state.hpp"

namespace hangar::agent {

/// Records `message` as a Queued run in the store (issuing its run id when empty), then puts it on
/// the queue, in that order, so a claimed request always has its stored run. Returns the run id.
std::string enqueueRun(ServiceState& state, RunRequestMessage message);

/// Copies the run's log to `out` as it grows until the run has ended (every byte once) and returns
/// the final stored run. Throws std::invalid_argument when the store has no such run.
StoredRun followRun(ServiceState& state, const std::string& runId, std::ostream& out);

/// Asks for the run to be canceled: a queued request is removed and the run marked Canceled at
/// once; a running one gets a cancel file its slot watches. Returns the run as stored afterwards.
/// Throws std::invalid_argument when there is no such run or it has ended already.
StoredRun requestCancel(ServiceState& state, const std::string& runId);

}  // namespace hangar::agent
