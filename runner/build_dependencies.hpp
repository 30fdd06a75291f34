#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "runner/build_command.hpp"
#include "runner/dockerfile_dependencies.hpp"
#include "runner/run_record.hpp"

namespace hangar::runner {

/// The Dockerfile a build reads, on the host: `-f` (relative to the step's working directory),
/// else `<context>/Dockerfile`. Nothing for a remote context or `-f -` (read from stdin).
std::optional<std::filesystem::path> buildDockerfilePath(const BuildCommand& command,
                                                         const std::filesystem::path& workingDirectory);

/// The build args a scan expands: each `--build-arg K=V`, and `--build-arg K` with K's value in the
/// step's env (as docker takes it from its environment); a later one wins.
std::map<std::string, std::string> buildArgValues(const BuildCommand& command,
                                                  const std::vector<std::string>& stepEnv);

/// An image reference as ACR records it (registry, repository, tag; digest from `digestOf`, empty
/// when unknown). Nothing when the reference cannot be parsed.
std::optional<OutputImage> describeImage(const std::string& reference,
                                         const std::function<std::string(const std::string&)>& digestOf);

/// One entry per built tag (§4.5), the same base images for each.
std::vector<ImageDependency> imageDependencies(
    const std::vector<std::string>& tags, const DockerfileDependencies& bases,
    const std::function<std::string(const std::string&)>& digestOf);

/// ACR's shape of the dependencies for the log: `[{"image": {...}, "runtime-dependency": {...},
/// "buildtime-dependency": [...]}]`.
nlohmann::json dependenciesLogJson(const std::vector<ImageDependency>& dependencies);

}  // namespace hangar::runner
