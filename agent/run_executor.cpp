#include "agent/run_executor.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "agent/registry_logins.hpp"
#include "agent/run_request_resolution.hpp"
#include "agent/task_preparation.hpp"
#include "agent/usage_error.hpp"
#include "config/task_loader.hpp"
#include "runner/console_log.hpp"
#include "runner/masking_log.hpp"
#include "runner/run_summary.hpp"
#include "runner/task_run.hpp"

namespace hangar::agent {
namespace fs = std::filesystem;
using runner::RunStatus;

void RunControl::requestStop(StopReason why) {
  StopReason expected = StopReason::None;
  reason.compare_exchange_strong(expected, why);
  stop.request_stop();
}

RunExecutor::RunExecutor(RunStore& store, RunQueue& queue, ServicePaths paths, RunIdGenerator& ids)
    : store_(store), queue_(queue), paths_(std::move(paths)), ids_(ids), host_(agentHostName()) {}

StoredRun RunExecutor::storedRunFor(const RunRequestMessage& message) {
  if (auto stored = store_.get(message.runId)) return *stored;
  // The enqueuer died between queueing the request and storing its row, or has not stored it yet.
  StoredRun run;
  run.record.id = message.runId;
  run.record.status = RunStatus::Queued;
  run.task = message.task;
  run.trigger = message.trigger;
  run.createTime = std::chrono::system_clock::now();
  run.agent = host_;
  if (!store_.insertIfAbsent(run)) return *store_.get(message.runId);  // the enqueuer was just in time
  return run;
}

void RunExecutor::execute(const Claim& claim, const config::AgentConfig& config, RunControl& control) {
  try {
    executeOrThrow(claim, config, control);
  } catch (const std::exception& e) {
    spdlog::error("run {}: {}", claim.message.runId, e.what());
    try {
      queue_.release(claim, e.what());
    } catch (const std::exception& again) {
      spdlog::error("run {}: releasing its request: {}", claim.message.runId, again.what());
    }
  }
}

void RunExecutor::executeOrThrow(const Claim& claim, const config::AgentConfig& config, RunControl& control) {
  const RunRequestMessage& message = claim.message;
  if (!message.malformedReason.empty()) {
    StoredRun run;
    run.record.id = isValidRunId(message.runId) ? message.runId : ids_.next();
    run.trigger = message.trigger;
    run.createTime = std::chrono::system_clock::now();
    run.agent = host_;
    run.record.status = RunStatus::Failed;
    run.record.error = "malformed run request: " + message.malformedReason;
    run.record.finishTime = run.createTime;
    if (store_.get(run.record.id))
      store_.update(run);
    else
      store_.insert(run);
    spdlog::error("run {}: {}", run.record.id, run.record.error);
    queue_.release(claim, message.malformedReason);  // parks it as poison, bytes kept
    return;
  }

  StoredRun run = storedRunFor(message);
  if (isFinal(run.record.status)) {  // delivered again after it ended (a crash before complete())
    spdlog::warn("run {}: already {}, request dropped", run.record.id, runner::toString(run.record.status));
    queue_.complete(claim);
    return;
  }
  auto finish = [&](RunStatus status, const std::string& error) {
    run.record.status = status;
    if (!error.empty()) run.record.error = error;
    if (!run.record.finishTime) run.record.finishTime = std::chrono::system_clock::now();
    store_.update(run);
    fs::remove(paths_.cancelFile(run.record.id));
    queue_.complete(claim);
    spdlog::info("run {}: {}{}", run.record.id, runner::toString(status), error.empty() ? "" : ": " + error);
  };
  if (fs::exists(paths_.cancelFile(run.record.id)))
    return finish(RunStatus::Canceled, "canceled before it started");

  run.record.status = RunStatus::Running;
  run.record.startTime = std::chrono::system_clock::now();
  run.record.error.clear();
  run.agent = host_;
  store_.update(run);
  spdlog::info("run {}: running{}", run.record.id, message.task ? " task " + *message.task : "");

  // The cancel watcher: a cancel file asks this run to stop.
  std::jthread cancelWatcher([this, &control, id = run.record.id](std::stop_token own) {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    while (!own.stop_requested()) {
      if (fs::exists(paths_.cancelFile(id))) {
        control.requestStop(StopReason::Cancel);
        return;
      }
      wake.wait_for(lock, own, std::chrono::milliseconds(200), [] { return false; });
    }
  });

  // A work directory left by a run of this id that died with its agent is in the way: we hold the
  // claim, so nothing else uses it.
  std::error_code ignored;
  fs::remove_all(paths_.workRoot() / run.record.id, ignored);
  fs::remove_all(paths_.fetchedContext(run.record.id), ignored);
  runner::FileLog file(paths_.logFile(run.record.id));
  runner::RunRecord record;
  try {
    RunOnceOptions options = resolveRunOptions(config, message);
    PreparedTask prepared = prepareTask(options, run.record.id);
    runner::MaskingLog log(file, prepared.secretValues);
    for (const auto& warning : prepared.warnings) log.info("warning: " + warning);
    config::LoadedTask loaded = config::loadTask(prepared.load);
    runner::RunRequest request =
        makeRunRequest(options, prepared, std::move(loaded.task), run.record.id, paths_.workRoot());
    addRegistryLogins(options, request);  // agent.yaml registries: logins (ACR token exchange), insecure
    for (const auto& value : request.secretValues) log.addSecret(value);  // secret volumes, logins too
    auto launcher = runner::makeSystemProcessLauncher();
    record = runner::runTask(request, *launcher, log, control.stop.get_token());
    runner::logRunSummary(record, log);
    log.flush();
  } catch (const UsageError& e) {
    file.info(std::string("error: ") + e.what());
    record.status = RunStatus::Failed;
    record.error = e.what();
  } catch (const config::TaskError& e) {
    file.info(e.diagnostics().str());
    record.status = RunStatus::Failed;
    record.error = e.diagnostics().str();
  } catch (const std::exception& e) {
    file.info(std::string("error: ") + e.what());
    record.status = RunStatus::Error;
    record.error = e.what();
  }
  file.flush();
  cancelWatcher.request_stop();
  cancelWatcher.join();
  if (std::error_code error; fs::remove_all(paths_.fetchedContext(run.record.id), error), error)
    spdlog::warn("run {}: cannot remove its fetched context: {}", run.record.id, error.message());

  record.id = run.record.id;
  if (!record.startTime) record.startTime = run.record.startTime;
  run.record = record;
  if (control.reason == StopReason::Shutdown) {
    run.record.status = RunStatus::Queued;
    run.record.error = "stopped by the agent's shutdown; queued again";
    run.record.finishTime.reset();
    store_.update(run);
    queue_.requeue(claim);  // not the request's fault: no attempt counted
    spdlog::info("run {}: stopped by shutdown, queued again", run.record.id);
    return;
  }
  if (onFinished_) onFinished_(run.record);
  if (control.reason == StopReason::Cancel) return finish(RunStatus::Canceled, "canceled");
  finish(record.status, "");
}

}  // namespace hangar::agent
