#include "tests/conformance/step_times.hpp"

#include <stdexcept>
#include <string>

#include "runner/run_record.hpp"

namespace hangar::test {
namespace {

Clock::time_point time_of(const nlohmann::json& step, const char* field) {
  const std::string id = step.value("id", "?");
  if (!step.contains(field) || !step.at(field).is_string())
    throw std::invalid_argument("step '" + id + "' has no " + field + ": " + step.dump());
  const auto time = runner::parseTime(step.at(field).get<std::string>());
  if (!time) throw std::invalid_argument("step '" + id + "': " + field + " is not RFC 3339: " + step.dump());
  return *time;
}

}  // namespace

StepInterval StepInterval::of(const nlohmann::json& step) {
  return {time_of(step, "startTime"), time_of(step, "finishTime")};
}

bool finished_before_start(const StepInterval& a, const StepInterval& b) { return a.finish <= b.start; }

bool overlap(const StepInterval& a, const StepInterval& b) {
  return a.start < b.finish && b.start < a.finish;
}

}  // namespace hangar::test
