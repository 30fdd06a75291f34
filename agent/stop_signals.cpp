#include "agent/stop_signals.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>

namespace hangar::agent {
namespace {

sigset_t stopSignalSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2);  // used only to wake the waiter at destruction
  return set;
}

}  // namespace

StopSignals::StopSignals() {
  sigset_t set = stopSignalSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  waiter_ = std::jthread([this](std::stop_token own) {
    sigset_t waitSet = stopSignalSet();
    int received = 0;
    while (!own.stop_requested()) {
      if (sigwait(&waitSet, &received) != 0 || received == SIGUSR2) continue;
      if (source_.stop_requested()) _exit(130);
      signal_ = received;
      source_.request_stop();
    }
  });
}

StopSignals::~StopSignals() {
  waiter_.request_stop();
  pthread_kill(waiter_.native_handle(), SIGUSR2);
}

}  // namespace hangar::agent
