#include "runner/masking_log.hpp"

namespace hangar::runner {

MaskingLog::MaskingLog(LogSink& inner, const std::vector<std::string>& secrets) : inner_(inner) {
  for (const auto& secret : secrets) masker_.add(secret);
}

MaskingLog::~MaskingLog() {
  try {
    flush();
  } catch (...) {
    // Nowhere to report from a destructor; callers that care call flush() themselves.
  }
}

void MaskingLog::addSecret(std::string_view secret) {
  std::lock_guard lock(mutex_);
  masker_.add(secret);
}

std::string MaskingLog::mask(std::string_view text) const {
  std::lock_guard lock(mutex_);
  return masker_.mask(text);
}

void MaskingLog::info(std::string_view line) {
  std::lock_guard lock(mutex_);
  inner_.info(masker_.mask(line));
}

void MaskingLog::output(std::string_view stepId, std::string_view chunk) {
  std::lock_guard lock(mutex_);
  if (masker_.empty()) {
    inner_.output(stepId, chunk);
    return;
  }
  auto it = held_.find(stepId);
  if (it == held_.end()) it = held_.emplace(std::string(stepId), std::string()).first;
  std::string& held = it->second;
  held.append(chunk);
  const size_t settled = masker_.settledLength(held);
  if (settled == 0) return;
  const std::string masked = masker_.mask(std::string_view(held).substr(0, settled));
  held.erase(0, settled);
  inner_.output(stepId, masked);
}

void MaskingLog::emitHeld(const std::string& stepId, std::string& held) {
  if (held.empty()) return;
  const std::string masked = masker_.mask(held);
  held.clear();
  inner_.output(stepId, masked);
}

void MaskingLog::stepFinished(std::string_view stepId) {
  std::lock_guard lock(mutex_);
  if (const auto it = held_.find(stepId); it != held_.end()) {
    const std::string id = it->first;
    std::string held = std::move(it->second);
    held_.erase(it);
    emitHeld(id, held);
  }
  inner_.stepFinished(stepId);
}

void MaskingLog::flush() {
  std::lock_guard lock(mutex_);
  for (auto& [stepId, held] : held_) emitHeld(stepId, held);
  held_.clear();
}

}  // namespace hangar::runner
