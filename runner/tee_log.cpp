#include "runner/tee_log.hpp"

#include <exception>

namespace hangar::runner {

namespace {

/// Calls `send` on every sink, even when one throws; then rethrows the first failure.
template <typename Send>
void toEach(const std::vector<LogSink*>& sinks, Send send) {
  std::exception_ptr failure;
  for (auto* sink : sinks) {
    try {
      send(*sink);
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

void TeeLog::info(std::string_view line) {
  toEach(sinks_, [&](LogSink& sink) { sink.info(line); });
}

void TeeLog::output(std::string_view stepId, std::string_view chunk) {
  toEach(sinks_, [&](LogSink& sink) { sink.output(stepId, chunk); });
}

void TeeLog::stepFinished(std::string_view stepId) {
  toEach(sinks_, [&](LogSink& sink) { sink.stepFinished(stepId); });
}

}  // namespace hangar::runner
