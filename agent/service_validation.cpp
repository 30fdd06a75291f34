#include "agent/service_validation.hpp"

#include <iostream>

#include "agent/exit_code.hpp"
#include "config/agent_config.hpp"
#include "config/diagnostic.hpp"

namespace hangar::agent {

int validateAgentConfig(const std::filesystem::path& path) {
  try {
    config::loadAgentConfig(path);
  } catch (const config::TaskError& e) {
    std::cerr << e.diagnostics().str();
    return kExitUsage;
  }
  std::cout << path.string() << ": ok\n";
  return kExitSuccess;
}

}  // namespace hangar::agent
