// Fuzzes the agent configuration parser (config::parseAgentConfig), which reports problems as
// diagnostics and never throws.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/agent_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hangar::config::Diagnostics diagnostics;
  const auto config = hangar::config::parseAgentConfig(text, "agent.yaml", diagnostics);
  if (config) {
    for (const auto& task : config->tasks) config->findTask(task.name);
  }
  return 0;
}
