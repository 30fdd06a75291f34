#include "config/diagnostic.hpp"

namespace hangar::config {

std::string SourcePosition::str() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Diagnostic::str() const {
  return position.str() + (severity == Severity::Error ? ": error: " : ": warning: ") + message;
}

void Diagnostics::error(SourcePosition position, std::string message) {
  items_.push_back({Severity::Error, std::move(position), std::move(message)});
}

void Diagnostics::warning(SourcePosition position, std::string message) {
  items_.push_back({Severity::Warning, std::move(position), std::move(message)});
}

bool Diagnostics::hasErrors() const {
  for (const auto& d : items_)
    if (d.severity == Severity::Error) return true;
  return false;
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::string Diagnostics::str() const {
  std::string out;
  for (const auto& d : items_) out += d.str() + "\n";
  return out;
}

TaskError::TaskError(Diagnostics diagnostics)
    : std::runtime_error(diagnostics.str()), diagnostics_(std::move(diagnostics)) {}

TaskError::TaskError(Diagnostic diagnostic)
    : TaskError([&] {
        Diagnostics d;
        d.error(diagnostic.position, diagnostic.message);
        return d;
      }()) {}

}  // namespace hangar::config
