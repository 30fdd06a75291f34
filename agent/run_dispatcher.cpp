#include "agent/run_dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace hangar::agent {

RunDispatcher::RunDispatcher(RunQueue& queue, RunExecutor& executor, ConfigSource config,
                             std::function<bool()> mayClaim)
    : queue_(queue), executor_(executor), config_(std::move(config)), mayClaim_(std::move(mayClaim)) {}

RunDispatcher::~RunDispatcher() {
  stopAll(StopReason::Shutdown);
  std::unique_lock lock(mutex_);
  for (auto& slot : slots_)
    if (slot.thread.joinable()) {
      lock.unlock();
      slot.thread.join();
      lock.lock();
    }
}

void RunDispatcher::reap() {
  for (auto it = slots_.begin(); it != slots_.end();) {
    if (it->done) {
      if (it->thread.joinable()) it->thread.join();
      it = slots_.erase(it);
    } else {
      ++it;
    }
  }
}

void RunDispatcher::claimUntil(std::stop_token stop) {
  while (!stop.stop_requested()) {
    auto config = config_();
    std::size_t slotCount = static_cast<std::size_t>(std::max(1, config->slots));
    {
      std::unique_lock lock(mutex_);
      reap();
      if (slots_.size() >= slotCount) {
        changed_.wait_for(lock, stop, std::chrono::seconds(1), [&] {
          reap();
          return slots_.size() < slotCount;
        });
        continue;
      }
    }
    if (mayClaim_ && !mayClaim_()) {
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
      continue;
    }
    std::optional<Claim> claim;
    try {
      claim = queue_.claim();
    } catch (const std::exception& e) {
      spdlog::error("claiming a run request: {}", e.what());
    }
    if (!claim) {
      queue_.waitForWork(std::chrono::seconds(1), stop);
      continue;
    }
    std::unique_lock lock(mutex_);
    Slot& slot = slots_.emplace_back();
    slot.thread = std::jthread([this, &slot, claim = std::move(*claim), config] {
      executor_.execute(claim, *config, *slot.control);
      std::lock_guard guard(mutex_);
      slot.done = true;
      changed_.notify_all();
    });
  }
}

std::size_t RunDispatcher::running() {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const auto& slot : slots_) count += slot.done ? 0 : 1;
  return count;
}

void RunDispatcher::stopAll(StopReason why) {
  std::lock_guard lock(mutex_);
  for (auto& slot : slots_)
    if (!slot.done) slot.control->requestStop(why);
}

bool RunDispatcher::waitIdle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return changed_.wait_until(lock, deadline, [&] {
    reap();
    return slots_.empty();
  });
}

}  // namespace hangar::agent
