#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "runner/run_record.hpp"

namespace hangar::agent {

class SqliteDatabase;

using runner::TimePoint;

/// A run as the run store keeps it: the runner's record plus what the service knows about it.
/// Whatever callers put here must already be masked; the store writes it as given.
struct StoredRun {
  runner::RunRecord record;
  std::optional<std::string> task;  // null for ad-hoc runs
  std::string trigger;              // manual, queue, timer, commit, image
  TimePoint createTime;
  std::string agent;  // host name of the agent that ran (or queued) it

  /// `hangar runs --output json` shape: the record's fields plus task, trigger, createTime, agent.
  nlohmann::json toJson() const;
  /// Reads what toJson() wrote; throws std::invalid_argument naming the field.
  static StoredRun fromJson(const nlohmann::json& json);
};

/// A filter for RunStore::list(); unset fields match everything.
struct RunQuery {
  std::optional<runner::RunStatus> status;
  std::optional<std::string> task;
  std::optional<std::size_t> top;  // at most this many, newest first
};

/// The run history in SQLite (WAL, busy timeout, schema versioned with PRAGMA user_version). Several
/// processes may open the same file; one object may be used from several threads.
class RunStore {
 public:
  /// The schema version this build writes; a newer file is refused.
  static constexpr int kSchemaVersion = 1;

  /// Opens or creates `dbFile` (and its folder). Throws SqliteError (std::runtime_error).
  explicit RunStore(const std::filesystem::path& dbFile);
  ~RunStore();
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  /// Adds a new run; throws std::invalid_argument when its id is already stored.
  void insert(const StoredRun& run);
  /// Adds the run unless its id is stored already (then changes nothing); true when it added it.
  /// Whoever comes first, the enqueuer or the claiming agent, creates the row.
  bool insertIfAbsent(const StoredRun& run);
  /// Replaces the stored run with the same id; throws std::invalid_argument when there is none.
  void update(const StoredRun& run);
  std::optional<StoredRun> get(const std::string& id);
  /// Runs matching `query`, newest (by createTime) first.
  std::vector<StoredRun> list(const RunQuery& query = {});
  /// Runs in `status`, oldest first (for recovery at start-up).
  std::vector<StoredRun> runsInState(runner::RunStatus status);
  /// How many runs are stored in each status (status name -> count; absent = none).
  std::map<std::string, std::uint64_t> countByStatus();

  /// Records that `timer` of `task` fired for `scheduledAt` as run `runId`. False (and nothing
  /// changed) when that firing is recorded already, so a firing never runs twice.
  bool recordTimerFiring(const std::string& task, const std::string& timer, TimePoint scheduledAt,
                         const std::string& runId);
  /// A recorded firing (recordTimerFiring); runId is empty for one skipped by concurrency: forbid.
  struct TimerFiringRow {
    std::string task, timer, runId;
    TimePoint scheduledAt;
  };
  /// Firings that name a run id the runs table does not hold (the agent died between recording the
  /// firing and queueing its run), oldest first.
  std::vector<TimerFiringRow> timerFiringsWithoutRun();
  /// The latest scheduled time recorded for `timer` of `task`.
  std::optional<TimePoint> lastTimerFiring(const std::string& task, const std::string& timer);

  const std::filesystem::path& file() const { return file_; }

 private:
  void migrate();
  std::vector<StoredRun> select(const RunQuery& query, bool newestFirst);

  std::filesystem::path file_;
  std::mutex mutex_;
  std::unique_ptr<SqliteDatabase> db_;
};

}  // namespace hangar::agent
