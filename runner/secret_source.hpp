#pragma once

#include <filesystem>
#include <string>

namespace hangar::runner {

/// Reads a secret from a file named in agent.yaml (`...File`): it must be a regular file (symlinks are
/// followed), owned by the agent's user or root, with no group or other permission bits (0600 or
/// 0400), and at most 1 MiB. The value is the file's exact bytes: a trailing newline is kept, as Key
/// Vault keeps a value exactly. Throws std::runtime_error naming the file and the reason, never content.
std::string readSecretFile(const std::filesystem::path& path);

/// A password or client secret from a file named in agent.yaml, as `docker login --password-stdin`
/// reads one: readSecretFile's checks, then one trailing newline ("\n" or "\r\n") dropped.
std::string readPasswordFile(const std::filesystem::path& path);

/// The value of the agent's environment variable `name` (`...Env`); throws std::runtime_error naming
/// the variable when it is unset or empty.
std::string readSecretEnv(const std::string& name);

}  // namespace hangar::runner
