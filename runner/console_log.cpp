#include "runner/console_log.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <stdexcept>

namespace hangar::runner {

namespace {

/// A partial line longer than this is emitted as a line of its own (a progress bar without '\n'
/// must not grow without bound while other steps print).
constexpr size_t kMaxPartialLine = 64 * 1024;

std::string prefixed(std::string_view stepId, std::string_view text) {
  std::string line = "[";
  line.append(stepId).append("] ").append(text);
  return line;
}

}  // namespace

std::string formatLogTime(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[32];
  const size_t length = std::strftime(buffer, sizeof buffer, "%Y/%m/%d %H:%M:%S", &utc);
  return std::string(buffer, length);
}

ConsoleLog::ConsoleLog(std::ostream& out, WallClock clock)
    : out_(out), name_("the console"), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
}

ConsoleLog::ConsoleLog(std::unique_ptr<std::ostream> owned, std::string name, WallClock clock)
    : owned_(std::move(owned)), out_(*owned_), name_(std::move(name)), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
}

ConsoleLog::~ConsoleLog() {
  try {
    flush();
  } catch (...) {
    // Nowhere to report from a destructor; callers that care call flush() themselves.
  }
}

void ConsoleLog::write(std::string_view text) {
  out_.write(text.data(), static_cast<std::streamsize>(text.size()));
  out_.flush();
  if (!out_) throw std::runtime_error("cannot write the log to " + name_);
}

void ConsoleLog::endLine() {
  if (!atLineStart_) write("\n");
  atLineStart_ = true;
  lastWriter_.clear();
}

void ConsoleLog::emitPartial(const std::string& stepId, std::string& partial) {
  if (partial.empty()) return;
  endLine();
  write(prefixed(stepId, partial) + "\n");
  partial.clear();
}

void ConsoleLog::info(std::string_view line) {
  std::lock_guard lock(mutex_);
  endLine();
  write(formatLogTime(clock_()) + " " + std::string(line) + "\n");
}

void ConsoleLog::output(std::string_view stepId, std::string_view chunk) {
  std::lock_guard lock(mutex_);
  if (active_.find(stepId) == active_.end()) active_.emplace(stepId);
  auto partial = partial_.find(stepId);

  if (active_.size() == 1) {
    // The only step printing: its output goes through as is, not even waiting for a newline.
    if (lastWriter_ != stepId) endLine();
    std::string text;
    if (partial != partial_.end()) {
      // Left from a time when others printed too: its line began with the prefix.
      if (!partial->second.empty()) text = prefixed(stepId, partial->second);
      partial_.erase(partial);
    }
    text.append(chunk);
    if (text.empty()) return;
    write(text);
    atLineStart_ = text.back() == '\n';
    lastWriter_ = atLineStart_ ? "" : std::string(stepId);
    return;
  }

  // Several steps print at once: complete lines only, each with its step's id.
  endLine();
  if (partial == partial_.end()) partial = partial_.emplace(std::string(stepId), std::string()).first;
  std::string& pending = partial->second;
  pending.append(chunk);
  std::string lines;
  size_t start = 0;
  for (size_t newline = pending.find('\n'); newline != std::string::npos;
       newline = pending.find('\n', start)) {
    lines += prefixed(stepId, std::string_view(pending).substr(start, newline + 1 - start));
    start = newline + 1;
  }
  pending.erase(0, start);
  if (pending.size() > kMaxPartialLine) {
    lines += prefixed(stepId, pending) + "\n";
    pending.clear();
  }
  if (!lines.empty()) write(lines);
}

void ConsoleLog::stepFinished(std::string_view stepId) {
  std::lock_guard lock(mutex_);
  if (const auto partial = partial_.find(stepId); partial != partial_.end()) {
    const std::string id = partial->first;
    std::string pending = std::move(partial->second);
    partial_.erase(partial);
    emitPartial(id, pending);
  }
  if (lastWriter_ == stepId) endLine();
  if (const auto it = active_.find(stepId); it != active_.end()) active_.erase(it);
}

void ConsoleLog::flush() {
  std::lock_guard lock(mutex_);
  for (auto& [stepId, pending] : partial_) emitPartial(stepId, pending);
  partial_.clear();
}

namespace {

std::unique_ptr<std::ostream> openForAppend(const std::filesystem::path& file) {
  auto stream = std::make_unique<std::ofstream>(file, std::ios::out | std::ios::app | std::ios::binary);
  if (!*stream) {
    throw std::runtime_error("cannot open the log file '" + file.string() + "': " + std::strerror(errno));
  }
  return stream;
}

}  // namespace

FileLog::FileLog(const std::filesystem::path& file, WallClock clock)
    : ConsoleLog(openForAppend(file), "'" + file.string() + "'", std::move(clock)) {}

}  // namespace hangar::runner
