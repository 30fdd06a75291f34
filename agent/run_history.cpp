#include "agent/run_history.hpp"

#include "agent/run_store.hpp"
#include "agent/service_state.hpp"

namespace hangar::agent {

bool recordRunOnceRun(const std::filesystem::path& stateDir, const runner::RunRecord& record,
                      std::string* error) {
  try {
    RunStore store(ServicePaths{stateDir}.storeFile());
    if (auto stored = store.get(record.id)) {
      stored->record = record;
      store.update(*stored);
      return true;
    }
    StoredRun run;
    run.record = record;
    run.trigger = "manual";
    run.createTime = record.startTime.value_or(std::chrono::system_clock::now());
    run.agent = agentHostName();
    store.insert(run);
    return true;
  } catch (const std::exception& e) {
    if (error != nullptr) *error = e.what();
    return false;
  }
}

RunOnceHistory::RunOnceHistory(std::filesystem::path stateDir, const std::string& runId)
    : stateDir_(std::move(stateDir)) {
  runner::RunRecord running;
  running.id = runId;
  running.status = runner::RunStatus::Running;
  running.startTime = std::chrono::system_clock::now();
  std::string error;
  if (!recordRunOnceRun(stateDir_, running, &error)) {
    warning_ = "the run is not kept in the run store of " + stateDir_.string() + ": " + error;
    return;
  }
  recording_ = true;
  try {
    ServicePaths paths{stateDir_};
    std::filesystem::create_directories(paths.logsDir());
    log_ = std::make_unique<runner::FileLog>(paths.logFile(runId));
  } catch (const std::exception& e) {
    warning_ = std::string("the run's log is not kept: ") + e.what();
  }
}

RunOnceHistory::~RunOnceHistory() {
  if (!log_) return;
  try {
    log_->flush();
  } catch (const std::exception&) {  // finish() reported the error already, or the run is gone
  }
}

std::string RunOnceHistory::finish(const runner::RunRecord& record) {
  if (!recording_) return "";
  std::string problem;
  if (log_) {
    try {
      log_->flush();
    } catch (const std::exception& e) {
      problem = std::string("the run's stored log is incomplete: ") + e.what();
    }
  }
  std::string error;
  if (!recordRunOnceRun(stateDir_, record, &error))
    problem +=
        std::string(problem.empty() ? "" : "; ") + "the run's result is not kept in the run store: " + error;
  return problem;
}

}  // namespace hangar::agent
