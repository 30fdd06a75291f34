#pragma once

#include "agent/service_state.hpp"

namespace hangar::agent {

/// What start-up recovery did.
struct RecoveryReport {
  std::size_t claimsPutBack = 0;    // requests claimed by a dead process, back in the queue
  std::size_t runsRequeued = 0;     // runs left Running whose request waits again: now Queued
  std::size_t runsFailed = 0;       // runs left Running whose request was parked as poison: now Failed
  std::size_t timerRunsQueued = 0;  // timer firings recorded whose run was never queued: queued now
};

/// Start-up recovery after a crash (call with the state directory locked, before claiming): puts back
/// the claims of dead processes, then settles every run a dead service left Running so none is lost
/// and none stays Running twice: Queued again when its request waits in the spool, Failed (with the
/// poison reason) when the request was parked. Runs with no request anywhere (run-once runs) are left.
/// A timer's latest firing recorded with a run id that has neither a row nor a request is queued.
RecoveryReport recoverAfterCrash(ServiceState& state);

}  // namespace hangar::agent
