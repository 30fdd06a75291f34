#pragma once

#include <filesystem>

namespace hangar::agent {

/// `hangar validate --config PATH`: parses the agent configuration and prints each problem as
/// FILE:LINE:COL: error: ... on stderr, or "PATH: ok" on stdout. Returns 0 when valid, else 2.
int validateAgentConfig(const std::filesystem::path& path);

}  // namespace hangar::agent
