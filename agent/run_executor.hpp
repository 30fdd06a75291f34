#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>

#include "agent/run_id.hpp"
#include "agent/run_queue.hpp"
#include "agent/run_store.hpp"
#include "agent/service_state.hpp"
#include "config/agent_config.hpp"

namespace hangar::agent {

/// Why a running run is asked to stop: a user's cancel (the run ends Canceled) or the service
/// shutting down (the run is put back on the queue and marked Queued, to run again).
enum class StopReason { None, Cancel, Shutdown };

/// The handle a slot keeps on the run it executes, so the service can stop it.
struct RunControl {
  std::stop_source stop;
  std::atomic<StopReason> reason{StopReason::None};

  /// Asks the run to stop for `why` (the first reason wins).
  void requestStop(StopReason why);
};

/// Executes claimed requests: the stored run goes Queued -> Running -> its final status with the
/// runner's record, the log is written to <stateDir>/logs/<runId>.log (masked) as it is produced, and
/// the claim is completed (or released when the service stops the run). A malformed request or one
/// that cannot be prepared becomes a Failed run whose error says why; nothing is dropped silently.
class RunExecutor {
 public:
  RunExecutor(RunStore& store, RunQueue& queue, ServicePaths paths, RunIdGenerator& ids);

  /// Handles `claim` to its end; never throws (store errors are logged and the claim released).
  void execute(const Claim& claim, const config::AgentConfig& config, RunControl& control);
  /// Called with the record of every run that ran to its end (for metrics); set before execute().
  void onRunFinished(std::function<void(const runner::RunRecord&)> callback) {
    onFinished_ = std::move(callback);
  }

 private:
  void executeOrThrow(const Claim& claim, const config::AgentConfig& config, RunControl& control);
  StoredRun storedRunFor(const RunRequestMessage& message);

  RunStore& store_;
  RunQueue& queue_;
  ServicePaths paths_;
  RunIdGenerator& ids_;
  std::string host_;
  std::function<void(const runner::RunRecord&)> onFinished_;
};

}  // namespace hangar::agent
