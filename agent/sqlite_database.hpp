#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace hangar::agent {

/// An SQLite failure; the message names the database file and what was being done.
class SqliteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SqliteDatabase;

/// One prepared statement (RAII). Bind parameters are 1-based, columns 0-based, as in the C API.
class SqliteStatement {
 public:
  SqliteStatement(SqliteDatabase& database, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bind(int index, std::int64_t number);
  /// Binds the value, or NULL when there is none.
  SqliteStatement& bindOrNull(int index, const std::optional<std::string>& text);
  SqliteStatement& bindOrNull(int index, const std::optional<std::int64_t>& number);
  SqliteStatement& bindNull(int index);

  /// Runs to the next row; false when done. Throws SqliteError on failure.
  bool step();
  /// Runs a statement that returns no rows.
  void run();

  bool isNull(int column) const;
  std::string text(int column) const;
  std::int64_t integer(int column) const;

 private:
  SqliteDatabase& database_;
  sqlite3_stmt* statement_ = nullptr;
  std::string sql_;
};

/// An open SQLite connection (RAII) in WAL mode with a busy timeout, so several processes can share
/// the file. Not thread-safe: callers serialise use of one object.
class SqliteDatabase {
 public:
  /// Opens (creating if needed) `file`; waits up to `busyTimeout` for locks held by other connections.
  explicit SqliteDatabase(const std::filesystem::path& file,
                          std::chrono::milliseconds busyTimeout = std::chrono::seconds(10));
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  /// Runs one or more statements without results.
  void execute(std::string_view sql);
  /// Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;
  /// Throws SqliteError "FILE: WHAT: sqlite message" for the result code `code`.
  [[noreturn]] void fail(int code, std::string_view what) const;

  sqlite3* handle() const { return db_; }
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
};

/// BEGIN IMMEDIATE ... COMMIT, rolled back when destroyed without commit() (an exception).
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDatabase& database);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  void commit();

 private:
  SqliteDatabase& database_;
  bool done_ = false;
};

}  // namespace hangar::agent
