#include "agent/run_store.hpp"

#include <stdexcept>

#include "agent/sqlite_database.hpp"

namespace hangar::agent {

namespace {

using nlohmann::json;

// Version 1 of the schema. Times are nanoseconds since the Unix epoch (UTC). `record` is the run
// record's JSON (steps, output images, dependencies); the other columns are there to filter and sort.
constexpr std::string_view kSchemaV1 = R"(
CREATE TABLE runs (
  id           TEXT PRIMARY KEY NOT NULL,
  task         TEXT,
  triggered_by TEXT NOT NULL,
  status       TEXT NOT NULL,
  create_time  INTEGER NOT NULL,
  start_time   INTEGER,
  finish_time  INTEGER,
  agent        TEXT NOT NULL,
  error        TEXT NOT NULL,
  record       TEXT NOT NULL
);
CREATE INDEX runs_by_create_time ON runs (create_time);
CREATE INDEX runs_by_task ON runs (task, create_time);
CREATE INDEX runs_by_status ON runs (status, create_time);
CREATE TABLE timer_firings (
  task         TEXT NOT NULL,
  timer        TEXT NOT NULL,
  scheduled_at INTEGER NOT NULL,
  run_id       TEXT NOT NULL,
  recorded_at  INTEGER NOT NULL,
  UNIQUE (task, timer, scheduled_at)
);
PRAGMA user_version = 1;
)";

constexpr std::string_view kColumns = "SELECT id, task, triggered_by, create_time, agent, record FROM runs";

std::int64_t toNanoseconds(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

TimePoint fromNanoseconds(std::int64_t nanoseconds) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(nanoseconds)));
}

std::optional<std::int64_t> toNanoseconds(const std::optional<TimePoint>& time) {
  if (!time) return std::nullopt;
  return toNanoseconds(*time);
}

/// Binds the columns of `run` as ?1..?10 in the order of the runs table.
void bindRun(SqliteStatement& statement, const StoredRun& run) {
  statement.bind(1, run.record.id)
      .bindOrNull(2, run.task)
      .bind(3, run.trigger)
      .bind(4, runner::toString(run.record.status))
      .bind(5, toNanoseconds(run.createTime))
      .bindOrNull(6, toNanoseconds(run.record.startTime))
      .bindOrNull(7, toNanoseconds(run.record.finishTime))
      .bind(8, run.agent)
      .bind(9, run.record.error)
      .bind(10, run.record.toJson().dump());
}

StoredRun readRun(const SqliteStatement& row, const std::filesystem::path& file) {
  StoredRun run;
  const std::string id = row.text(0);
  try {
    run.record = runner::RunRecord::fromJson(json::parse(row.text(5)));
  } catch (const std::exception& e) {
    throw SqliteError(file.string() + ": run " + id + ": the stored record cannot be read: " + e.what());
  }
  if (!row.isNull(1)) run.task = row.text(1);
  run.trigger = row.text(2);
  run.createTime = fromNanoseconds(row.integer(3));
  run.agent = row.text(4);
  return run;
}

}  // namespace

json StoredRun::toJson() const {
  json out = record.toJson();
  out["task"] = task ? json(*task) : json(nullptr);
  out["trigger"] = trigger;
  out["createTime"] = runner::formatTime(createTime);
  out["agent"] = agent;
  return out;
}

StoredRun StoredRun::fromJson(const json& value) {
  if (!value.is_object()) throw std::invalid_argument("stored run: expected an object");
  StoredRun run;
  run.record = runner::RunRecord::fromJson(value);
  if (auto it = value.find("task"); it != value.end() && !it->is_null()) {
    if (!it->is_string()) throw std::invalid_argument("stored run: task: expected a string or null");
    run.task = it->get<std::string>();
  }
  auto text = [&](const char* key, bool required) -> std::string {
    auto it = value.find(key);
    if (it == value.end() || it->is_null()) {
      if (required) throw std::invalid_argument(std::string("stored run: missing '") + key + "'");
      return "";
    }
    if (!it->is_string())
      throw std::invalid_argument(std::string("stored run: ") + key + ": expected a string");
    return it->get<std::string>();
  };
  run.trigger = text("trigger", true);
  const std::string created = text("createTime", true);
  const auto createTime = runner::parseTime(created);
  if (!createTime)
    throw std::invalid_argument("stored run: createTime: not an RFC 3339 time: '" + created + "'");
  run.createTime = *createTime;
  run.agent = text("agent", false);
  return run;
}

RunStore::RunStore(const std::filesystem::path& dbFile) : file_(dbFile) {
  if (dbFile.has_parent_path()) std::filesystem::create_directories(dbFile.parent_path());
  db_ = std::make_unique<SqliteDatabase>(dbFile);
  migrate();
}

RunStore::~RunStore() = default;

void RunStore::migrate() {
  // BEGIN IMMEDIATE makes a second process opening a fresh file wait, then see version 1.
  SqliteTransaction transaction(*db_);
  SqliteStatement versionQuery(*db_, "PRAGMA user_version");
  versionQuery.step();
  const auto version = versionQuery.integer(0);
  if (version > kSchemaVersion)
    throw SqliteError(file_.string() + ": the run store has schema version " + std::to_string(version) +
                      ", newer than this hangar understands (" + std::to_string(kSchemaVersion) +
                      "); upgrade hangar");
  if (version == 0) db_->execute(kSchemaV1);
  transaction.commit();
}

void RunStore::insert(const StoredRun& run) {
  if (!insertIfAbsent(run))
    throw std::invalid_argument("run store: run " + run.record.id + " already exists");
}

bool RunStore::insertIfAbsent(const StoredRun& run) {
  std::lock_guard lock(mutex_);
  SqliteStatement statement(
      *db_,
      "INSERT INTO runs (id, task, triggered_by, status, create_time, start_time, "
      "finish_time, agent, error, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
      "ON CONFLICT (id) DO NOTHING");
  bindRun(statement, run);
  statement.run();
  return db_->changes() == 1;
}

std::map<std::string, std::uint64_t> RunStore::countByStatus() {
  std::lock_guard lock(mutex_);
  SqliteStatement statement(*db_, "SELECT status, COUNT(*) FROM runs GROUP BY status");
  std::map<std::string, std::uint64_t> counts;
  while (statement.step()) counts[statement.text(0)] = static_cast<std::uint64_t>(statement.integer(1));
  return counts;
}

std::vector<RunStore::TimerFiringRow> RunStore::timerFiringsWithoutRun() {
  std::lock_guard lock(mutex_);
  SqliteStatement statement(
      *db_,
      "SELECT task, timer, run_id, scheduled_at FROM timer_firings f WHERE run_id != '' "
      "AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = f.run_id) ORDER BY scheduled_at");
  std::vector<TimerFiringRow> rows;
  while (statement.step())
    rows.push_back(
        {statement.text(0), statement.text(1), statement.text(2), fromNanoseconds(statement.integer(3))});
  return rows;
}

void RunStore::update(const StoredRun& run) {
  std::lock_guard lock(mutex_);
  SqliteStatement statement(
      *db_,
      "UPDATE runs SET task = ?2, triggered_by = ?3, status = ?4, create_time = ?5, "
      "start_time = ?6, finish_time = ?7, agent = ?8, error = ?9, record = ?10 WHERE id = ?1");
  bindRun(statement, run);
  statement.run();
  if (db_->changes() == 0) throw std::invalid_argument("run store: no run " + run.record.id + " to update");
}

std::optional<StoredRun> RunStore::get(const std::string& id) {
  std::lock_guard lock(mutex_);
  SqliteStatement statement(*db_, std::string(kColumns) + " WHERE id = ?1");
  statement.bind(1, id);
  if (!statement.step()) return std::nullopt;
  return readRun(statement, file_);
}

std::vector<StoredRun> RunStore::select(const RunQuery& query, bool newestFirst) {
  std::lock_guard lock(mutex_);
  std::string sql = std::string(kColumns) + " WHERE 1 = 1";
  if (query.status) sql += " AND status = :status";
  if (query.task) sql += " AND task = :task";
  // rowid breaks ties between runs created in the same nanosecond: insertion order.
  sql += newestFirst ? " ORDER BY create_time DESC, rowid DESC" : " ORDER BY create_time ASC, rowid ASC";
  if (query.top) sql += " LIMIT :top";
  SqliteStatement statement(*db_, sql);
  int index = 1;
  if (query.status) statement.bind(index++, runner::toString(*query.status));
  if (query.task) statement.bind(index++, *query.task);
  if (query.top) statement.bind(index++, static_cast<std::int64_t>(*query.top));
  std::vector<StoredRun> runs;
  while (statement.step()) runs.push_back(readRun(statement, file_));
  return runs;
}

std::vector<StoredRun> RunStore::list(const RunQuery& query) { return select(query, true); }

std::vector<StoredRun> RunStore::runsInState(runner::RunStatus status) {
  return select(RunQuery{status, std::nullopt, std::nullopt}, false);
}

bool RunStore::recordTimerFiring(const std::string& task, const std::string& timer, TimePoint scheduledAt,
                                 const std::string& runId) {
  std::lock_guard lock(mutex_);
  SqliteStatement statement(*db_,
                            "INSERT INTO timer_firings (task, timer, scheduled_at, run_id, recorded_at) "
                            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (task, timer, scheduled_at) DO NOTHING");
  statement.bind(1, task)
      .bind(2, timer)
      .bind(3, toNanoseconds(scheduledAt))
      .bind(4, runId)
      .bind(5, toNanoseconds(std::chrono::system_clock::now()));
  statement.run();
  return db_->changes() == 1;
}

std::optional<TimePoint> RunStore::lastTimerFiring(const std::string& task, const std::string& timer) {
  std::lock_guard lock(mutex_);
  SqliteStatement statement(*db_,
                            "SELECT MAX(scheduled_at) FROM timer_firings WHERE task = ?1 AND timer = ?2");
  statement.bind(1, task).bind(2, timer);
  if (!statement.step() || statement.isNull(0)) return std::nullopt;
  return fromNanoseconds(statement.integer(0));
}

}  // namespace hangar::agent
