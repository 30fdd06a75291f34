#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <stop_token>
#include <string>

#include "agent/run_request_message.hpp"

namespace hangar::agent {

/// A claimed message: complete() or release() it; a claim by a process that died is recovered at
/// start-up. `claimId` identifies the claim to the queue that issued it.
struct Claim {
  RunRequestMessage message;
  std::string claimId;
};

/// Where run requests wait for an agent: the spool directory, later an Azure Storage queue. Delivery is
/// at least once: a claim that is neither completed nor released (the claimer died) comes back.
class RunQueue {
 public:
  virtual ~RunQueue() = default;

  /// Adds a request durably; when this returns, a reboot does not lose it.
  virtual void enqueue(const RunRequestMessage& message) = 0;
  /// Takes the oldest waiting request so that no other claimer gets it, or nothing when none waits.
  /// A request that cannot be read is still returned, with message.malformedReason set.
  virtual std::optional<Claim> claim() = 0;
  /// The request is done (whatever the run's result): removes it for good.
  virtual void complete(const Claim& claim) = 0;
  /// The attempt failed: puts the request back with attempts+1, or parks it as poison with `reason`
  /// once it has failed maxAttempts times.
  virtual void release(const Claim& claim, const std::string& reason) = 0;
  /// Not the request's fault (the agent shut down during the run): puts it back as it was, first in
  /// line again, without counting an attempt.
  virtual void requeue(const Claim& claim) = 0;
  /// Requests waiting to be claimed.
  virtual std::size_t depth() = 0;
  /// Blocks until a request may be waiting (true), or `timeout` passed or `stop` was requested (false).
  /// True may be spurious; claim() decides.
  virtual bool waitForWork(std::chrono::milliseconds timeout, std::stop_token stop) = 0;
};

}  // namespace hangar::agent
