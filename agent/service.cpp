#include "agent/service.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include "agent/disk_guard.hpp"
#include "agent/disk_pruner.hpp"
#include "agent/exit_code.hpp"
#include "agent/metrics_server.hpp"
#include "agent/run_dispatcher.hpp"
#include "agent/run_enqueue.hpp"
#include "agent/service_clock.hpp"
#include "agent/service_housekeeping.hpp"
#include "agent/service_log.hpp"
#include "agent/service_metrics.hpp"
#include "agent/service_recovery.hpp"
#include "agent/startup_memory.hpp"
#include "agent/systemd_notify.hpp"
#include "agent/timer_scheduler.hpp"
#include "config/diagnostic.hpp"

namespace hangar::agent {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

sigset_t serviceSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int signal : {SIGTERM, SIGINT, SIGQUIT, SIGHUP}) sigaddset(&set, signal);
  return set;
}

// The configuration in force; replaced as a whole on reload.
class ConfigHolder {
 public:
  explicit ConfigHolder(config::AgentConfig config)
      : current_(std::make_shared<const config::AgentConfig>(std::move(config))) {}
  std::shared_ptr<const config::AgentConfig> get() {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void set(config::AgentConfig config) {
    std::lock_guard lock(mutex_);
    current_ = std::make_shared<const config::AgentConfig>(std::move(config));
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<const config::AgentConfig> current_;
};

// Holds an exclusive lock on STATE_DIR/service.lock: one service per state directory.
int lockStateDir(const fs::path& stateDir) {
  fs::path file = stateDir / "service.lock";
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + file.string());
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    throw std::runtime_error("another `hangar run` uses the state directory " + stateDir.string());
  }
  return fd;
}

void fireTimer(ServiceState& state, const config::AgentConfig& config, const TimerFiring& firing,
               RunIdGenerator& ids, ServiceMetrics& metrics) {
  const config::TaskDefinition* task = config.findTask(firing.task);
  if (task == nullptr) return;
  std::vector<StoredRun> active;
  for (auto status : {runner::RunStatus::Queued, runner::RunStatus::Running})
    for (auto& run : state.store->list({status, firing.task, std::nullopt})) active.push_back(std::move(run));
  if (!active.empty() && task->concurrency == config::Concurrency::Forbid) {
    // Recorded with no run id, so it is neither fired again nor a run id that names no run.
    if (!state.store->recordTimerFiring(firing.task, firing.timer, firing.scheduledAt, "")) return;
    metrics.timerFired(firing.task, firing.timer, true, std::chrono::system_clock::now());
    spdlog::warn("task {}: timer {} at {} skipped: run {} is still {} (concurrency: forbid)", firing.task,
                 firing.timer, runner::formatTime(firing.scheduledAt), active.front().record.id,
                 runner::toString(active.front().record.status));
    return;
  }
  // The firing is recorded with its run id before the run is queued: if the agent dies in between,
  // start-up recovery queues the run of that firing (recoverAfterCrash), so it is neither lost nor run twice.
  std::string runId = ids.next();
  if (!state.store->recordTimerFiring(firing.task, firing.timer, firing.scheduledAt, runId)) return;
  if (task->concurrency == config::Concurrency::Replace)
    for (const auto& run : active) {
      try {
        requestCancel(state, run.record.id);
        spdlog::info("task {}: run {} canceled, replaced by a timer firing", firing.task, run.record.id);
      } catch (const std::exception& e) {
        spdlog::warn("task {}: replacing run {}: {}", firing.task, run.record.id, e.what());
      }
    }
  RunRequestMessage message;
  message.runId = runId;
  message.task = firing.task;
  message.trigger = "timer";
  enqueueRun(state, message);
  metrics.timerFired(firing.task, firing.timer, false, std::chrono::system_clock::now());
  spdlog::info("task {}: timer {} fired for {}: run {}", firing.task, firing.timer,
               runner::formatTime(firing.scheduledAt), runId);
}

// Fires due timers until `stop`; sleeps until the next fire time (or briefly with the test clock).
// `startedAt` is taken before the service says it is ready, so no occurrence after that is missed.
void timerLoop(ServiceState& state, ConfigHolder& holder, RunIdGenerator& ids, const ServiceClock& clock,
               TimePoint startedAt, ServiceMetrics& metrics, std::stop_token stop) {
  TimerJitter jitter = hostTimerJitter();
  TimerScheduler scheduler(*state.store, startedAt, jitter);
  std::mutex mutex;
  std::condition_variable_any wake;
  while (!stop.stop_requested()) {
    auto config = holder.get();
    auto wait = std::chrono::milliseconds(100);
    try {
      TimePoint now = clock();
      for (const auto& firing : scheduler.due(*config, now)) fireTimer(state, *config, firing, ids, metrics);
      if (!usingTestClock()) {
        auto next = nextFireTime(*config, clock(), jitter);
        auto until = next ? std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock())
                          : std::chrono::milliseconds(60000);
        wait = std::clamp(until, std::chrono::milliseconds(100), std::chrono::milliseconds(60000));
      }
    } catch (const std::exception& e) {
      spdlog::error("timers: {}", e.what());
      wait = std::chrono::seconds(5);
    }
    std::unique_lock lock(mutex);
    wake.wait_for(lock, stop, wait, [] { return false; });
  }
}

void reload(const fs::path& configPath, ConfigHolder& holder) {
  try {
    config::AgentConfig fresh = config::loadAgentConfig(configPath);
    auto old = holder.get();
    if (fresh.stateDir != old->stateDir || fresh.queue.path != old->queue.path) {
      spdlog::warn("reload: stateDir and queue changes need a restart; keeping {}", old->stateDir.string());
      fresh.stateDir = old->stateDir;
      fresh.queue = old->queue;
    }
    holder.set(std::move(fresh));
    spdlog::info("reloaded {}", configPath.string());
  } catch (const config::TaskError& e) {
    spdlog::error("reload of {} failed, keeping the old configuration:\n{}", configPath.string(),
                  e.diagnostics().str());
  } catch (const std::exception& e) {
    spdlog::error("reload of {} failed, keeping the old configuration: {}", configPath.string(), e.what());
  }
}

}  // namespace

int runService(const fs::path& configPathIn) {
  setUpServiceLogging();
  sigset_t signals = serviceSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts: all inherit it
  fs::path configPath = configPathIn.empty() ? config::defaultAgentConfigPath() : configPathIn;

  config::AgentConfig loaded;
  try {
    loaded = config::loadAgentConfig(configPath);
  } catch (const config::TaskError& e) {
    std::cerr << e.diagnostics().str();
    return kExitUsage;
  }
  ServiceState state;
  int lockFd = -1;
  try {
    state = openServiceState(loaded);
    lockFd = lockStateDir(state.paths.stateDir);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return kExitFailed;
  }
  ConfigHolder holder(std::move(loaded));
  RunIdGenerator ids(state.paths.stateDir);

  ServiceMetrics metrics;
  spdlog::default_logger()->sinks().push_back(metrics.errorSink());
  recoverAfterCrash(state);

  const std::shared_ptr<const config::AgentConfig> initialConfig = holder.get();
  const config::AgentConfig& initial = *initialConfig;
  DiskGuard guard(diskGuardPaths(initial),
                  static_cast<std::uintmax_t>(initial.diskGuard.minFreeMB) * 1024 * 1024,
                  makeFreeSpaceProbe());
  // Low on space: first remove what Hangar left (ended runs' directories, dangling engine images when no
  // run is going), then pause claims only if that was not enough.
  std::atomic<RunDispatcher*> dispatching{nullptr};
  std::stop_source pruning;  // a shutdown kills an engine prune still going
  auto pruneLauncher = runner::makeSystemProcessLauncher();
  guard.setReclaimer(
      [&] {
        RunDispatcher* dispatcher = dispatching.load();
        bool idle = dispatcher == nullptr || dispatcher->running() == 0;
        return pruneForSpace(state.paths, *state.store, holder.get()->engine, idle, *pruneLauncher,
                             std::chrono::hours(24), std::chrono::minutes(10), pruning.get_token())
            .describe();
      },
      std::chrono::minutes(5));
  if (auto blocked = guard.check()) spdlog::error("disk guard: no new runs are claimed: {}", *blocked);

  RunExecutor executor(*state.store, *state.queue, state.paths, ids);
  executor.onRunFinished([&](const runner::RunRecord& record) { metrics.runFinished(record); });
  std::stop_source claiming;
  int exitCode = kExitSuccess;
  {
    RunDispatcher dispatcher(
        *state.queue, executor, [&] { return holder.get(); }, [&] { return guard.mayClaim(); });
    dispatching = &dispatcher;
    std::unique_ptr<MetricsServer> endpoint;
    if (initial.metrics) {
      endpoint = std::make_unique<MetricsServer>(
          [&] {
            MetricsReadings readings;
            readings.runsByStatus = state.store->countByStatus();
            readings.queueDepth = state.queue->depth();
            readings.slotsBusy = dispatcher.running();
            readings.slotsTotal = static_cast<std::size_t>(holder.get()->slots);
            readings.claimsPaused = guard.blocked();
            for (const auto& [path, free] : guard.lastFree())
              readings.freeBytes.emplace_back(path.string(), free);
            return metrics.render(readings);
          },
          [&] {
            HealthReport report;
            if (auto blocked = guard.blocked()) {
              report.problem = "disk guard: no new runs are claimed: " + *blocked;
              return report;
            }
            try {
              state.store->countByStatus();
            } catch (const std::exception& e) {
              report.problem = std::string("run store unavailable: ") + e.what();
            }
            return report;
          });
      try {
        endpoint->start(initial.metrics->listen);
      } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        ::close(lockFd);
        return kExitFailed;
      }
      spdlog::info("metrics and health on http://{}/metrics and /healthz", initial.metrics->listen);
    }
    std::jthread dispatch([&](std::stop_token) { dispatcher.claimUntil(claiming.get_token()); });
    ServiceClock clock = makeServiceClock();
    TimePoint startedAt = clock();
    std::jthread timers([&](std::stop_token) {
      timerLoop(state, holder, ids, clock, startedAt, metrics, claiming.get_token());
    });
    std::jthread housekeeping([&](std::stop_token own) {
      housekeepingLoop(
          state, [&] { return holder.get(); }, guard, own);
    });

    auto status = [&] {
      auto blocked = guard.blocked();
      return "STATUS=running " + std::to_string(dispatcher.running()) + ", queued " +
             std::to_string(state.queue->depth()) + (blocked ? ", claims paused: " + *blocked : "");
    };
    systemdNotify("READY=1\n" + status());
    spdlog::info("hangar service ready: {} slots, state {}, {} tasks", holder.get()->slots,
                 state.paths.stateDir.string(), holder.get()->tasks.size());
    StartupMemoryRelease released = releaseStartupMemory();
    spdlog::debug("start-up memory given back: {} KiB of read-only file pages from {} mappings{}",
                  released.fileBytes / 1024, released.mappings, released.heapTrimmed ? ", heap trimmed" : "");
    auto watchdog = systemdWatchdogInterval();
    auto tick = std::min<std::chrono::milliseconds>(watchdog.value_or(std::chrono::seconds(1)),
                                                    std::chrono::seconds(1));
    bool draining = false, stoppedRuns = false;
    Clock::time_point drainDeadline;
    for (;;) {
      timespec timeout{static_cast<time_t>(tick.count() / 1000),
                       static_cast<long>(tick.count() % 1000) * 1000000};
      int received = sigtimedwait(&signals, nullptr, &timeout);
      if (received == SIGHUP) {
        reload(configPath, holder);
      } else if (received == SIGQUIT || ((received == SIGTERM || received == SIGINT) && draining)) {
        spdlog::warn("stopping now: running runs are stopped and queued again");
        draining = true;
        claiming.request_stop();
        dispatcher.stopAll(StopReason::Shutdown);
        stoppedRuns = true;
      } else if (received == SIGTERM || received == SIGINT) {
        draining = true;
        drainDeadline = Clock::now() + std::chrono::seconds(holder.get()->shutdownTimeout);
        claiming.request_stop();
        systemdNotify("STOPPING=1");
        spdlog::info("draining: no new claims; {} runs get {} s to finish", dispatcher.running(),
                     holder.get()->shutdownTimeout);
      }
      if (draining) {
        if (dispatcher.running() == 0) break;
        if (!stoppedRuns && Clock::now() >= drainDeadline) {
          spdlog::warn("shutdown timeout: stopping the runs still going, they are queued again");
          dispatcher.stopAll(StopReason::Shutdown);
          stoppedRuns = true;
        }
        systemdNotify("STOPPING=1\n" + status());
        continue;
      }
      systemdNotify("WATCHDOG=1\n" + status());
    }
    claiming.request_stop();
    dispatch.join();
    timers.join();
    housekeeping.request_stop();
    pruning.request_stop();
    housekeeping.join();
    dispatcher.waitIdle(Clock::now() + std::chrono::minutes(5));
    dispatching = nullptr;
  }
  spdlog::info("hangar service stopped");
  ::close(lockFd);
  return exitCode;
}

}  // namespace hangar::agent
