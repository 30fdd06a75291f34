#include "agent/cli/run_flags.hpp"

#include <CLI/CLI.hpp>

#include "agent/azure_endpoints.hpp"
#include "agent/cli/repeatable.hpp"

namespace hangar::agent::cli {

void RunFlags::addTo(CLI::App& verb) {
  verb.add_option("--registry,-r", base.registry, "Registry login server: the task's $Registry");
  verb.add_option("--engine", base.engine.kind, "Container engine")
      ->check(CLI::IsMember({"buildah", "docker"}))
      ->capture_default_str();
  verb.add_option("--engine-binary", base.engine.binary, "Path of the engine's binary");
  verb.add_option("--storage-driver", base.engine.storageDriver, "buildah storage driver")
      ->capture_default_str();
  verb.add_option("--isolation", base.engine.isolation, "buildah isolation")->capture_default_str();
  verb.add_option("--timeout", base.timeoutSeconds, "Run timeout in seconds (at most 28800)")
      ->check(CLI::Range(1, 28800))
      ->capture_default_str();
  verb.add_option("--output,-o", output, "Output format: text, or json (the run record on stdout)")
      ->check(CLI::IsMember({"text", "json"}));
  verb.add_option("--authfile", base.authFile, "docker config.json with registry credentials");
  repeatable(
      verb.add_option("--mirror", mirrors, "Pull images named under HOST from PREFIX instead (HOST=PREFIX)"));
  verb.add_option("--state-dir", stateDir,
                  "State directory (default $HANGAR_STATE_DIR, /var/lib/hangar as root)");
}

RunOnceOptions RunFlags::options() const {
  RunOnceOptions result = base;
  result.jsonOutput = output == "json";
  if (!stateDir.empty()) result.stateDir = stateDir;
  result.azure = azureEndpoints();  // a real run: task secrets resolve from Key Vault
  for (const auto& mirror : mirrors) {
    auto equals = mirror.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == mirror.size())
      throw CLI::ValidationError("--mirror", "expected HOST=PREFIX, got '" + mirror + "'");
    result.mirrors[mirror.substr(0, equals)] = mirror.substr(equals + 1);
  }
  return result;
}

}  // namespace hangar::agent::cli
