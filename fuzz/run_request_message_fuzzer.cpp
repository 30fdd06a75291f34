// Fuzzes the queue's run request parser (agent::RunRequestMessage::parse): what parses serialises
// back to JSON that parses to the same message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "agent/run_request_message.hpp"

using hangar::agent::RunRequestMessage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hangar::agent::isValidRunId(text);
  try {
    const auto message = RunRequestMessage::parse(text);
    const auto again = RunRequestMessage::parse(message.toJson().dump());
    if (again.toJson() != message.toJson()) std::abort();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
