#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "registry/azure_credential_doctor.hpp"
#include "registry/registry_doctor.hpp"
#include "runner/task_run.hpp"

namespace hangar::agent {

/// What `hangar doctor` checks (cli.md): the engine and its storage, free disk, and optionally a registry.
struct DoctorOptions {
  runner::EngineSettings engine;
  std::filesystem::path stateDir;  ///< its free space is checked
  std::filesystem::path engineStorage = "/var/lib/containers/storage";
  std::optional<registry::RegistryDoctorOptions> registry;
  /// Azure identities the configured registries log in with (managed identity, service principal), by
  /// registry host.
  std::vector<std::pair<std::string, registry::AzureCredentialSource>> azureCredentials;
  bool json = false;
};

/// Checks the engine binary (found in PATH and answering `version`), that its storage is usable
/// (`buildah --storage-driver D images`), and free disk under the state dir and the engine's storage
/// (warn under 5 GiB, fail under 1 GiB).
std::vector<registry::DoctorCheck> diagnoseHost(const DoctorOptions& options);

/// Runs every check and prints one line per check (PASS/WARN/FAIL/SKIP, detail, then "fix: ..." on
/// its own line), or with `json` one object {"ok": bool, "checks": [{"name","status","detail","hint"}]}.
/// Returns 0 when nothing failed, 1 otherwise.
int runDoctor(const DoctorOptions& options, std::ostream& out);

}  // namespace hangar::agent
