#include "agent/service_recovery.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <map>
#include <sstream>

#include "agent/run_enqueue.hpp"

namespace hangar::agent {
namespace fs = std::filesystem;
namespace {

// The spool file of `runId` in `dir` (names end "-RUNID.json"), or an empty path.
fs::path findRequest(const fs::path& dir, const std::string& runId) {
  std::error_code error;
  std::string suffix = "-" + runId + ".json";
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      return entry.path();
  }
  return {};
}

}  // namespace

RecoveryReport recoverAfterCrash(ServiceState& state) {
  RecoveryReport report;
  report.claimsPutBack = state.queue->recoverDeadClaims();
  const fs::path& spool = state.queue->root();
  for (auto status : {runner::RunStatus::Running, runner::RunStatus::Started}) {
    for (StoredRun run : state.store->runsInState(status)) {
      const std::string& id = run.record.id;
      if (!findRequest(spool / "incoming", id).empty()) {
        run.record.status = runner::RunStatus::Queued;
        run.record.error = "the agent stopped during the run; queued again";
        run.record.startTime.reset();
        state.store->update(run);
        ++report.runsRequeued;
        spdlog::warn("run {}: was running when the agent stopped; queued again", id);
      } else if (fs::path poison = findRequest(spool / "poison", id); !poison.empty()) {
        std::ifstream in(poison.string() + ".reason");
        std::ostringstream reason;
        reason << in.rdbuf();
        run.record.status = runner::RunStatus::Failed;
        run.record.error = "the agent stopped during the run too often; request parked: " + reason.str();
        run.record.finishTime = std::chrono::system_clock::now();
        state.store->update(run);
        ++report.runsFailed;
        spdlog::error("run {}: {}", id, run.record.error);
      }
    }
  }
  // A timer firing recorded just before the agent died, its run never queued: queue it now (only the
  // latest firing of each timer, as catch-up would).
  std::map<std::pair<std::string, std::string>, RunStore::TimerFiringRow> orphans;
  for (auto& firing : state.store->timerFiringsWithoutRun())
    orphans[{firing.task, firing.timer}] = std::move(firing);
  for (const auto& [key, firing] : orphans) {
    if (state.store->lastTimerFiring(firing.task, firing.timer) != firing.scheduledAt) continue;
    if (!findRequest(spool / "incoming", firing.runId).empty() ||
        !findRequest(spool / "poison", firing.runId).empty())
      continue;
    RunRequestMessage message;
    message.runId = firing.runId;
    message.task = firing.task;
    message.trigger = "timer";
    enqueueRun(state, message);
    ++report.timerRunsQueued;
    spdlog::warn("task {}: timer {} fired for {} as run {} just before the agent stopped; queued now",
                 firing.task, firing.timer, runner::formatTime(firing.scheduledAt), firing.runId);
  }
  if (report.claimsPutBack > 0)
    spdlog::warn("recovered {} requests claimed by a process that died", report.claimsPutBack);
  return report;
}

}  // namespace hangar::agent
