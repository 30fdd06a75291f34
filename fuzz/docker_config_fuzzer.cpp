// Fuzzes docker config.json parsing (registry::DockerConfig::load) and lookups. The input is written to
// a file of this process (load reads files); credential helpers are a stand-in that answers nothing.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

#include "registry/docker_config.hpp"

namespace {

const std::filesystem::path& configFile() {
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() /
      ("hangar-docker-config-fuzz-" + std::to_string(getpid()) + ".json");
  return file;
}

void removeConfigFile() { std::filesystem::remove(configFile()); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool cleanup = (std::atexit(removeConfigFile), true);
  (void)cleanup;
  {
    std::ofstream out(configFile(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  const auto noHelper = [](std::string_view,
                           std::string_view) -> std::optional<hangar::registry::Credential> {
    return std::nullopt;
  };
  try {
    const auto config = hangar::registry::DockerConfig::load(configFile(), noHelper);
    for (const auto& host : config.hosts()) config.find(host);
    config.find("docker.io");
  } catch (const std::runtime_error&) {
  }
  return 0;
}
