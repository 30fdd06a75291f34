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

}  // namespace hangar::agent
