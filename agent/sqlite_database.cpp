#include "agent/sqlite_database.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

namespace hangar::agent {

SqliteDatabase::SqliteDatabase(const std::filesystem::path& file, std::chrono::milliseconds busyTimeout)
    : file_(file) {
  const int code = sqlite3_open_v2(
      file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (code != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(file.string() + ": cannot open the database: " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  // The busy timeout first: switching to WAL needs a lock another process may hold for a moment.
  sqlite3_busy_timeout(db_, static_cast<int>(busyTimeout.count()));
  try {
    // Switching to WAL can answer SQLITE_BUSY at once, without the busy handler, while another
    // connection converts the same file: retry until the busy timeout has passed.
    const auto deadline = std::chrono::steady_clock::now() + busyTimeout;
    for (;;) {
      try {
        execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
        break;
      } catch (const SqliteError&) {
        if ((sqlite3_errcode(db_) & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline)
          throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

SqliteDatabase::~SqliteDatabase() { sqlite3_close(db_); }

void SqliteDatabase::execute(std::string_view sql) {
  char* message = nullptr;
  const int code = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message);
  if (code != SQLITE_OK) {
    const std::string text = message ? message : sqlite3_errstr(code);
    sqlite3_free(message);
    throw SqliteError(file_.string() + ": " + std::string(sql.substr(0, 60)) + ": " + text);
  }
}

int SqliteDatabase::changes() const { return sqlite3_changes(db_); }

void SqliteDatabase::fail(int code, std::string_view what) const {
  const char* message = sqlite3_errmsg(db_);
  throw SqliteError(file_.string() + ": " + std::string(what) + ": " +
                    (message && *message ? message : sqlite3_errstr(code)));
}

SqliteStatement::SqliteStatement(SqliteDatabase& database, std::string_view sql)
    : database_(database), sql_(sql) {
  const int code =
      sqlite3_prepare_v2(database.handle(), sql.data(), static_cast<int>(sql.size()), &statement_, nullptr);
  if (code != SQLITE_OK) database.fail(code, "preparing \"" + sql_ + "\"");
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  const int code =
      sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  if (code != SQLITE_OK) database_.fail(code, "binding parameter " + std::to_string(index));
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t number) {
  const int code = sqlite3_bind_int64(statement_, index, number);
  if (code != SQLITE_OK) database_.fail(code, "binding parameter " + std::to_string(index));
  return *this;
}

SqliteStatement& SqliteStatement::bindOrNull(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bindNull(index);
}

SqliteStatement& SqliteStatement::bindOrNull(int index, const std::optional<std::int64_t>& number) {
  return number ? bind(index, *number) : bindNull(index);
}

SqliteStatement& SqliteStatement::bindNull(int index) {
  const int code = sqlite3_bind_null(statement_, index);
  if (code != SQLITE_OK) database_.fail(code, "binding parameter " + std::to_string(index));
  return *this;
}

bool SqliteStatement::step() {
  const int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  database_.fail(code, "running \"" + sql_.substr(0, 80) + "\"");
}

void SqliteStatement::run() {
  while (step()) {
  }
}

bool SqliteStatement::isNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::string SqliteStatement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  return data ? std::string(data, static_cast<size_t>(sqlite3_column_bytes(statement_, column)))
              : std::string();
}

std::int64_t SqliteStatement::integer(int column) const { return sqlite3_column_int64(statement_, column); }

SqliteTransaction::SqliteTransaction(SqliteDatabase& database) : database_(database) {
  database_.execute("BEGIN IMMEDIATE");
}

SqliteTransaction::~SqliteTransaction() {
  if (done_) return;
  try {
    database_.execute("ROLLBACK");
  } catch (const std::exception& e) {
    // Already unwinding from the error that matters; SQLite ends the transaction when it cannot roll back.
    spdlog::warn("{}", e.what());
  }
}

void SqliteTransaction::commit() {
  database_.execute("COMMIT");
  done_ = true;
}

}  // namespace hangar::agent
