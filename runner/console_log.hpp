#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "runner/log_sink.hpp"

namespace hangar::runner {

/// A run's log as text, the way acb prints it: Hangar's own lines start with a UTC time stamp
/// "YYYY/MM/DD HH:MM:SS "; step output passes through untouched while one step is printing. While
/// several steps print at once, each complete line of theirs is prefixed "[step-id] " and a
/// partial line waits for its end (or the step's end), so interleaved output stays readable.
/// Thread-safe; every write is flushed at once. A failed write throws std::runtime_error.
class ConsoleLog : public LogSink {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;

  /// Writes to `out` (which must outlive this); `clock` stamps Hangar's lines (default: now).
  explicit ConsoleLog(std::ostream& out = std::cout, WallClock clock = {});
  /// Emits the partial lines still held (call flush() first to see write errors).
  ~ConsoleLog() override;
  ConsoleLog(const ConsoleLog&) = delete;
  ConsoleLog& operator=(const ConsoleLog&) = delete;

  void info(std::string_view line) override;
  void output(std::string_view stepId, std::string_view chunk) override;
  void stepFinished(std::string_view stepId) override;
  /// Emits every held partial line, as if every step had finished.
  void flush();

 protected:
  /// For subclasses that own their stream; `name` says where it goes, for errors.
  ConsoleLog(std::unique_ptr<std::ostream> owned, std::string name, WallClock clock);

 private:
  void write(std::string_view text);
  void endLine();
  void emitPartial(const std::string& stepId, std::string& partial);

  std::unique_ptr<std::ostream> owned_;
  std::ostream& out_;
  std::string name_;
  WallClock clock_;

  std::mutex mutex_;
  std::set<std::string, std::less<>> active_;                // steps that printed and have not finished
  std::map<std::string, std::string, std::less<>> partial_;  // step id -> unfinished line (prefixed mode)
  bool atLineStart_ = true;
  std::string lastWriter_;  // the step whose unprefixed output ends the current line
};

/// The same text appended to a file: the run's stored log.
class FileLog : public ConsoleLog {
 public:
  /// Opens `file` for appending (created if missing); throws std::runtime_error naming it.
  explicit FileLog(const std::filesystem::path& file, WallClock clock = {});
};

/// "YYYY/MM/DD HH:MM:SS" in UTC, the stamp of Hangar's log lines.
std::string formatLogTime(std::chrono::system_clock::time_point time);

}  // namespace hangar::runner
