#include "runner/memory_log.hpp"

namespace hangar::runner {

void MemoryLog::info(std::string_view line) {
  std::lock_guard lock(mutex_);
  events_.push_back({Event::Kind::Info, "", std::string(line)});
}

void MemoryLog::output(std::string_view stepId, std::string_view chunk) {
  std::lock_guard lock(mutex_);
  events_.push_back({Event::Kind::Output, std::string(stepId), std::string(chunk)});
}

void MemoryLog::stepFinished(std::string_view stepId) {
  std::lock_guard lock(mutex_);
  events_.push_back({Event::Kind::StepFinished, std::string(stepId), ""});
}

std::vector<MemoryLog::Event> MemoryLog::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

std::string MemoryLog::outputOf(std::string_view stepId) const {
  std::lock_guard lock(mutex_);
  std::string text;
  for (const auto& event : events_) {
    if (event.kind == Event::Kind::Output && event.stepId == stepId) text += event.text;
  }
  return text;
}

std::vector<std::string> MemoryLog::infoLines() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> lines;
  for (const auto& event : events_) {
    if (event.kind == Event::Kind::Info) lines.push_back(event.text);
  }
  return lines;
}

}  // namespace hangar::runner
