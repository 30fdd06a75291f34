#pragma once

#include <stop_token>
#include <thread>

namespace hangar::agent {

/// Turns SIGINT and SIGTERM into a stop request: the first one asks the run to stop (steps are
/// killed, containers removed, the record written); a second one exits at once with 130.
/// Construct it before starting any other thread, so every thread inherits the blocked mask.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  std::stop_token token() const { return source_.get_token(); }
  /// The signal that asked to stop, or 0.
  int signal() const { return signal_; }

 private:
  std::stop_source source_;
  int signal_ = 0;
  std::jthread waiter_;
};

}  // namespace hangar::agent
