// Fuzzes cron parsing (config::CronExpression) and evaluation: a parsed expression re-parses from its
// str() to the same schedule, and nextAfter() answers strictly after the time asked.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "config/cron_expression.hpp"

using hangar::config::CronExpression;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto cron = CronExpression::parse(text);
    if (CronExpression::parse(cron.str()) != cron) std::abort();
    const CronExpression::TimePoint start = std::chrono::sys_days{std::chrono::year{2026} / 11 / 25};
    const auto next = cron.nextAfter(start);
    if (next && *next <= start) std::abort();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
