#include "runner/build_command.hpp"

#include <array>
#include <stdexcept>

#include "runner/shell_words.hpp"

namespace hangar::runner {
namespace {

constexpr std::array kBuildFlags = {
    // Flags with a value.
    DockerFlagSpec{"--add-host", 0, true},
    DockerFlagSpec{"--allow", 0, true},
    DockerFlagSpec{"--annotation", 0, true},
    DockerFlagSpec{"--attest", 0, true},
    DockerFlagSpec{"--build-arg", 0, true},
    DockerFlagSpec{"--build-context", 0, true},
    DockerFlagSpec{"--builder", 0, true},
    DockerFlagSpec{"--cache-from", 0, true},
    DockerFlagSpec{"--cache-to", 0, true},
    DockerFlagSpec{"--call", 0, true},
    DockerFlagSpec{"--cgroup-parent", 0, true},
    DockerFlagSpec{"--cpu-period", 0, true},
    DockerFlagSpec{"--cpu-quota", 0, true},
    DockerFlagSpec{"--cpu-shares", 'c', true},
    DockerFlagSpec{"--cpuset-cpus", 0, true},
    DockerFlagSpec{"--cpuset-mems", 0, true},
    DockerFlagSpec{"--file", 'f', true},
    DockerFlagSpec{"--iidfile", 0, true},
    DockerFlagSpec{"--isolation", 0, true},
    DockerFlagSpec{"--label", 0, true},
    DockerFlagSpec{"--memory", 'm', true},
    DockerFlagSpec{"--memory-swap", 0, true},
    DockerFlagSpec{"--metadata-file", 0, true},
    DockerFlagSpec{"--network", 0, true},
    DockerFlagSpec{"--no-cache-filter", 0, true},
    DockerFlagSpec{"--output", 'o', true},
    DockerFlagSpec{"--platform", 0, true},
    DockerFlagSpec{"--progress", 0, true},
    DockerFlagSpec{"--provenance", 0, true},
    DockerFlagSpec{"--sbom", 0, true},
    DockerFlagSpec{"--secret", 0, true},
    DockerFlagSpec{"--security-opt", 0, true},
    DockerFlagSpec{"--shm-size", 0, true},
    DockerFlagSpec{"--ssh", 0, true},
    DockerFlagSpec{"--tag", 't', true},
    DockerFlagSpec{"--target", 0, true},
    DockerFlagSpec{"--ulimit", 0, true},
    // Boolean flags.
    DockerFlagSpec{"--check", 0, false},
    DockerFlagSpec{"--compress", 0, false},
    DockerFlagSpec{"--disable-content-trust", 0, false},
    DockerFlagSpec{"--force-rm", 0, false},
    DockerFlagSpec{"--load", 0, false},
    DockerFlagSpec{"--no-cache", 0, false},
    DockerFlagSpec{"--pull", 0, false},
    DockerFlagSpec{"--push", 0, false},
    DockerFlagSpec{"--quiet", 'q', false},
    DockerFlagSpec{"--rm", 0, false},
    DockerFlagSpec{"--squash", 0, false},
};

std::vector<std::string> valuesOf(const std::vector<DockerFlag>& flags, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& flag : flags) {
    if (flag.name == name && flag.value) values.push_back(*flag.value);
  }
  return values;
}

}  // namespace

std::span<const DockerFlagSpec> dockerBuildFlags() { return kBuildFlags; }

std::vector<std::string> BuildCommand::tags() const { return valuesOf(flags, "--tag"); }

std::string BuildCommand::dockerfile() const {
  const auto values = valuesOf(flags, "--file");
  return values.empty() ? std::string() : values.back();
}

std::string BuildCommand::target() const {
  const auto values = valuesOf(flags, "--target");
  return values.empty() ? std::string() : values.back();
}

std::vector<std::string> BuildCommand::buildArgs() const { return valuesOf(flags, "--build-arg"); }

BuildCommand BuildCommand::parse(std::string_view arguments) {
  try {
    DockerArguments parsed = parseDockerArguments(splitShellWords(arguments), kBuildFlags, true);
    if (parsed.positionals.size() > 1) {
      std::string list;
      for (const auto& word : parsed.positionals) list += (list.empty() ? "'" : ", '") + word + "'";
      throw std::invalid_argument("expected one build context, got " +
                                  std::to_string(parsed.positionals.size()) + ": " + list);
    }
    BuildCommand command;
    command.flags = std::move(parsed.flags);
    if (!parsed.positionals.empty()) command.context = parsed.positionals.front();
    return command;
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("build: ") + e.what());
  }
}

}  // namespace hangar::runner
