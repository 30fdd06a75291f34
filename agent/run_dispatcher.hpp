#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>

#include "agent/run_executor.hpp"

namespace hangar::agent {

/// Fills the service's slots: claims a request whenever a slot is free (sleeping on the queue's
/// inotify wake-ups otherwise) and executes it on a thread of its own. The slot count is read from the
/// current configuration before each claim, so a reload applies to the next claims.
class RunDispatcher {
 public:
  using ConfigSource = std::function<std::shared_ptr<const config::AgentConfig>()>;

  /// `mayClaim` (optional) is asked before each claim; while it says no (the disk guard), nothing is
  /// claimed and it is asked again every second.
  RunDispatcher(RunQueue& queue, RunExecutor& executor, ConfigSource config,
                std::function<bool()> mayClaim = {});
  /// Stops every run still going (as a shutdown) and joins the slots.
  ~RunDispatcher();
  RunDispatcher(const RunDispatcher&) = delete;
  RunDispatcher& operator=(const RunDispatcher&) = delete;

  /// Claims and starts runs until `stop` is requested; returns then, leaving running runs going.
  void claimUntil(std::stop_token stop);
  /// Runs going now.
  std::size_t running();
  /// Asks every run going to stop for `why`.
  void stopAll(StopReason why);
  /// Blocks until no run is going (true) or `deadline` passed (false).
  bool waitIdle(std::chrono::steady_clock::time_point deadline);

 private:
  struct Slot {
    std::shared_ptr<RunControl> control = std::make_shared<RunControl>();
    std::jthread thread;
    bool done = false;
  };
  void reap();  // with mutex_ held: joins finished slots

  RunQueue& queue_;
  RunExecutor& executor_;
  ConfigSource config_;
  std::function<bool()> mayClaim_;
  std::mutex mutex_;
  std::condition_variable_any changed_;
  std::list<Slot> slots_;
};

}  // namespace hangar::agent
