#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <string>

#include "agent/exit_code.hpp"
#include "agent/usage_error.hpp"
#include "config/diagnostic.hpp"

namespace hangar::agent::cli {

/// Adds `--config PATH` (default $HANGAR_CONFIG, else /etc/hangar/agent.yaml) to a service verb.
inline void addConfigFlag(CLI::App& verb, std::string& path) {
  verb.add_option("--config", path, "Agent configuration (default $HANGAR_CONFIG or /etc/hangar/agent.yaml)");
}

/// Runs a service verb's body: a configuration error prints its FILE:LINE:COL diagnostics and a usage
/// problem its message, both exit code 2; other errors reach cli::main (exit code 1).
inline int runServiceVerb(const std::function<int()>& body) {
  try {
    return body();
  } catch (const config::TaskError& e) {
    std::cerr << e.diagnostics().str();
    return kExitUsage;
  } catch (const UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace hangar::agent::cli
