#include "agent/run_enqueue.hpp"

#include <fstream>
#include <thread>

#include "agent/run_id.hpp"

namespace hangar::agent {
namespace fs = std::filesystem;

std::string enqueueRun(ServiceState& state, RunRequestMessage message) {
  if (message.runId.empty()) message.runId = RunIdGenerator(state.paths.stateDir).next();
  StoredRun run;
  run.record.id = message.runId;
  run.record.status = runner::RunStatus::Queued;
  run.task = message.task;
  run.trigger = message.trigger;
  run.createTime = std::chrono::system_clock::now();
  run.agent = agentHostName();
  // The request first: once it is on the queue the run cannot be lost (an agent claiming it creates
  // the row if we die before the next line); the row is created only if the agent has not done so.
  state.queue->enqueue(message);
  state.store->insertIfAbsent(run);
  return message.runId;
}

StoredRun followRun(ServiceState& state, const std::string& runId, std::ostream& out) {
  std::streamoff offset = 0;
  auto copyNew = [&] {
    std::ifstream in(state.paths.logFile(runId), std::ios::binary);
    if (!in) return;
    in.seekg(offset);
    char buffer[65536];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      out.write(buffer, in.gcount());
      offset += in.gcount();
    }
    out.flush();
  };
  for (;;) {
    auto run = state.store->get(runId);
    if (!run)
      throw std::invalid_argument("no run '" + runId + "' in the run store " + state.store->file().string());
    bool ended = isFinal(run->record.status);
    copyNew();  // after reading the status: a final status means the log is complete
    if (ended) return *run;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // polling interval, not a synchronisation
  }
}

StoredRun requestCancel(ServiceState& state, const std::string& runId) {
  auto run = state.store->get(runId);
  if (!run)
    throw std::invalid_argument("no run '" + runId + "' in the run store " + state.store->file().string());
  if (isFinal(run->record.status))
    throw std::invalid_argument("run '" + runId +
                                "' has ended already: " + runner::toString(run->record.status));
  if (state.queue->removeWaiting(runId)) {
    run->record.status = runner::RunStatus::Canceled;
    run->record.error = "canceled while queued";
    run->record.finishTime = std::chrono::system_clock::now();
    state.store->update(*run);
    return *run;
  }
  fs::path file = state.paths.cancelFile(runId);
  fs::create_directories(file.parent_path());
  std::ofstream(file) << "canceled\n";
  return *run;
}

}  // namespace hangar::agent
