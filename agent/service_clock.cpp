#include "agent/service_clock.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "runner/run_record.hpp"

namespace hangar::agent {

bool usingTestClock() {
  const char* file = std::getenv("HANGAR_TEST_CLOCK_FILE");
  return file != nullptr && *file != '\0';
}

ServiceClock makeServiceClock() {
  if (!usingTestClock()) return [] { return std::chrono::system_clock::now(); };
  std::string file = std::getenv("HANGAR_TEST_CLOCK_FILE");
  return [file] {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    std::string value = text.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
    auto time = runner::parseTime(value);
    if (!time)
      throw std::runtime_error("HANGAR_TEST_CLOCK_FILE '" + file + "' does not hold an RFC 3339 time");
    return *time;
  };
}

}  // namespace hangar::agent
