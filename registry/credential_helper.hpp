#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "registry/credential.hpp"

namespace hangar::registry {

/// Asks a docker credential helper for a server's credential, using the protocol of
/// docker-credential-helpers: `<program> get`, the server URL on stdin, `{"ServerURL","Username","Secret"}`
/// on stdout. A Username of "<token>" means Secret is an identity token. A helper that exits non-zero
/// saying "credentials not found" gives nullopt; any other failure (cannot start, non-zero exit,
/// bad JSON, no answer within `timeout`) throws std::runtime_error naming the program, never a secret.
std::optional<Credential> runCredentialHelperProgram(const std::filesystem::path& program,
                                                     std::string_view serverUrl,
                                                     std::chrono::seconds timeout = std::chrono::seconds(30));

/// runCredentialHelperProgram for `docker-credential-<helper>` found on PATH; throws std::runtime_error
/// when it is not on PATH.
std::optional<Credential> runCredentialHelper(std::string_view helper, std::string_view serverUrl);

}  // namespace hangar::registry
