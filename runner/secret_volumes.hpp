#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/task.hpp"

namespace hangar::runner {

/// A task's secret volumes decoded: volume name -> file name -> the file's exact bytes.
using SecretVolumeFiles = std::map<std::string, std::map<std::string, std::string>>;

/// Decodes every `volumes:` entry's base64 values. Throws std::invalid_argument naming the volume
/// and file (never the value) when one is not valid base64, as acr-builder fails the run then.
SecretVolumeFiles decodeSecretVolumes(const std::vector<config::VolumeSpec>& volumes);

/// Every non-empty decoded value of the task's volumes, to be masked in logs; values that do not
/// decode are skipped (decodeSecretVolumes reports them).
std::vector<std::string> secretVolumeValues(const config::Task& task);

/// Writes each volume to `directory/<name>/<file>` with the exact bytes (no shell): directories
/// 0700, files 0400, created exclusively (an existing file is an error, symlinks are never
/// followed). Returns volume name -> its directory. Throws std::system_error naming the path.
std::map<std::string, std::filesystem::path> writeSecretVolumes(const std::filesystem::path& directory,
                                                                const SecretVolumeFiles& files);

}  // namespace hangar::runner
