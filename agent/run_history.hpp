#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "runner/console_log.hpp"
#include "runner/run_record.hpp"

namespace hangar::agent {

/// The hook `hangar run-once` calls to keep its run in the run store of `stateDir` (runs.db, the same
/// file the service uses), as an ad-hoc run with trigger "manual". Call it with the Running record at the
/// start and again with the final one (insert or update by id). Never throws: a state directory that is
/// not writable only loses the history, so it returns false and the error in `error`.
bool recordRunOnceRun(const std::filesystem::path& stateDir, const runner::RunRecord& record,
                      std::string* error = nullptr);

/// The history of one `hangar run-once` run: on construction the run is stored Running and its log
/// file <stateDir>/logs/<runId>.log opened, so `hangar runs` and `hangar logs` show it like a service
/// run; finish() stores the final record. When the state directory is not writable the run still goes:
/// log() is null and warning() says why (history is best effort, the run is not).
class RunOnceHistory {
 public:
  RunOnceHistory(std::filesystem::path stateDir, const std::string& runId);
  ~RunOnceHistory();
  RunOnceHistory(const RunOnceHistory&) = delete;
  RunOnceHistory& operator=(const RunOnceHistory&) = delete;

  /// The stored log to add to the run's (masking) log, or null when there is no history.
  runner::FileLog* log() { return log_.get(); }
  /// Why there is no history ("" when there is).
  const std::string& warning() const { return warning_; }
  /// Stores the final record (already masked). Returns a warning to show when that failed, "" when
  /// it worked or when there was no history from the start (warning() said so then).
  std::string finish(const runner::RunRecord& record);

 private:
  std::filesystem::path stateDir_;
  std::unique_ptr<runner::FileLog> log_;
  std::string warning_;
  bool recording_ = false;
};

}  // namespace hangar::agent
