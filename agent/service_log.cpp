#include "agent/service_log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <memory>

namespace hangar::agent {
namespace {

// `%*`: the syslog priority of the message's level, as journald reads it from stderr.
class JournalPriority : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const char* text = "<6>";
    switch (msg.level) {
      case spdlog::level::critical:
        text = "<2>";
        break;
      case spdlog::level::err:
        text = "<3>";
        break;
      case spdlog::level::warn:
        text = "<4>";
        break;
      case spdlog::level::info:
        text = "<6>";
        break;
      default:
        text = "<7>";
        break;
    }
    dest.append(text, text + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JournalPriority>();
  }
};

}  // namespace

void setUpServiceLogging() {
  auto logger = std::make_shared<spdlog::logger>("hangar", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  std::unique_ptr<spdlog::pattern_formatter> formatter;
  const char* journal = std::getenv("JOURNAL_STREAM");
  if (journal != nullptr && *journal != '\0') {
    formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JournalPriority>('*').set_pattern("%*%v");
  } else {
    formatter = std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%eZ %l %v",
                                                            spdlog::pattern_time_type::utc);
  }
  logger->set_formatter(std::move(formatter));
  logger->flush_on(spdlog::level::trace);
  logger->set_level(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace hangar::agent
