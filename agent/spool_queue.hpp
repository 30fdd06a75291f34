#pragma once

#include <atomic>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>

#include "agent/process_identity.hpp"
#include "agent/run_queue.hpp"

namespace hangar::agent {

/// The embedded run queue: a directory on the agent's disk, shared by every process on the host.
///   tmp/       requests being written (OWNER-NAME.N), moved into incoming/ when complete
///   incoming/  waiting requests, NAME = 20-digit enqueue time in ns + "-" + runId + ".json" (sorts FIFO)
///   claimed/   OWNER-NAME, OWNER = the claimer's "PID.STARTTIME" (see ProcessIdentity)
///   poison/    NAME and NAME.reason: requests that failed maxAttempts times
/// Every step is an atomic rename, so two claimers never get the same request and a crash at any
/// point loses nothing (a request may at worst be delivered again). waitForWork() sleeps on inotify.
class SpoolQueue final : public RunQueue {
 public:
  static constexpr int kDefaultMaxAttempts = 5;
  static constexpr std::size_t kMaxMessageBytes = 1 << 20;

  /// Opens (creating) the spool at `root`. Throws std::system_error when it cannot.
  explicit SpoolQueue(std::filesystem::path root, int maxAttempts = kDefaultMaxAttempts);
  ~SpoolQueue() override;
  SpoolQueue(const SpoolQueue&) = delete;
  SpoolQueue& operator=(const SpoolQueue&) = delete;

  /// Throws std::invalid_argument for a message that would not read back (bad runId, no task).
  void enqueue(const RunRequestMessage& message) override;
  std::optional<Claim> claim() override;
  /// Throws std::runtime_error when the claim is no longer held.
  void complete(const Claim& claim) override;
  /// A malformed claim goes to poison/ at once, its bytes kept as they were.
  void release(const Claim& claim, const std::string& reason) override;
  /// Throws std::runtime_error when the claim is no longer held.
  void requeue(const Claim& claim) override;
  std::size_t depth() override;
  /// One waiter at a time per object.
  bool waitForWork(std::chrono::milliseconds timeout, std::stop_token stop) override;

  /// Puts back (as release() does, counting the crash as an attempt) every request claimed by a
  /// process that is gone, and deletes the temp files such processes left. Returns how many claims it
  /// put back. Call at start-up; concurrent callers are serialised with a lock file.
  std::size_t recoverDeadClaims();

  /// Removes the waiting request of `runId` (to cancel it). False when no request of that run waits
  /// (it was claimed already, or never queued).
  bool removeWaiting(const std::string& runId);

  const std::filesystem::path& root() const { return root_; }

 private:
  std::string tempName(const std::string& name);
  std::optional<Claim> takeOne(const std::string& name);
  Claim readClaim(const std::string& claimId, const std::string& name);
  /// release() of a claim held by this process or, during recovery, by a dead one; false when the
  /// claimed file is gone.
  bool putBack(const Claim& claim, const std::string& reason, bool countAttempt);
  void writePoisonReason(const std::string& name, const std::string& reason);
  bool anyWaiting() const;

  std::filesystem::path root_, tmp_, incoming_, claimed_, poison_;
  int maxAttempts_;
  std::string owner_;
  std::mutex mutex_;                 // guards pending_
  std::deque<std::string> pending_;  // names seen in incoming/, oldest first, not yet tried
  std::atomic<unsigned long> tempCounter_{0};
  int inotify_ = -1;
  int stopEvent_ = -1;
};

}  // namespace hangar::agent
