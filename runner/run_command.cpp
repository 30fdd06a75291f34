#include "runner/run_command.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "runner/shell_words.hpp"

namespace hangar::runner {
namespace {

constexpr std::array kRunFlags = {
    // Flags with a value.
    DockerFlagSpec{"--add-host", 0, true},
    DockerFlagSpec{"--annotation", 0, true},
    DockerFlagSpec{"--attach", 'a', true},
    DockerFlagSpec{"--blkio-weight", 0, true},
    DockerFlagSpec{"--blkio-weight-device", 0, true},
    DockerFlagSpec{"--cap-add", 0, true},
    DockerFlagSpec{"--cap-drop", 0, true},
    DockerFlagSpec{"--cgroup-parent", 0, true},
    DockerFlagSpec{"--cgroupns", 0, true},
    DockerFlagSpec{"--cidfile", 0, true},
    DockerFlagSpec{"--cpu-period", 0, true},
    DockerFlagSpec{"--cpu-quota", 0, true},
    DockerFlagSpec{"--cpu-rt-period", 0, true},
    DockerFlagSpec{"--cpu-rt-runtime", 0, true},
    DockerFlagSpec{"--cpu-shares", 'c', true},
    DockerFlagSpec{"--cpus", 0, true},
    DockerFlagSpec{"--cpuset-cpus", 0, true},
    DockerFlagSpec{"--cpuset-mems", 0, true},
    DockerFlagSpec{"--detach-keys", 0, true},
    DockerFlagSpec{"--device", 0, true},
    DockerFlagSpec{"--device-cgroup-rule", 0, true},
    DockerFlagSpec{"--device-read-bps", 0, true},
    DockerFlagSpec{"--device-read-iops", 0, true},
    DockerFlagSpec{"--device-write-bps", 0, true},
    DockerFlagSpec{"--device-write-iops", 0, true},
    DockerFlagSpec{"--dns", 0, true},
    DockerFlagSpec{"--dns-option", 0, true},
    DockerFlagSpec{"--dns-search", 0, true},
    DockerFlagSpec{"--domainname", 0, true},
    DockerFlagSpec{"--entrypoint", 0, true},
    DockerFlagSpec{"--env", 'e', true},
    DockerFlagSpec{"--env-file", 0, true},
    DockerFlagSpec{"--expose", 0, true},
    DockerFlagSpec{"--gpus", 0, true},
    DockerFlagSpec{"--group-add", 0, true},
    DockerFlagSpec{"--health-cmd", 0, true},
    DockerFlagSpec{"--health-interval", 0, true},
    DockerFlagSpec{"--health-retries", 0, true},
    DockerFlagSpec{"--health-start-interval", 0, true},
    DockerFlagSpec{"--health-start-period", 0, true},
    DockerFlagSpec{"--health-timeout", 0, true},
    DockerFlagSpec{"--hostname", 'h', true},
    DockerFlagSpec{"--ip", 0, true},
    DockerFlagSpec{"--ip6", 0, true},
    DockerFlagSpec{"--ipc", 0, true},
    DockerFlagSpec{"--isolation", 0, true},
    DockerFlagSpec{"--kernel-memory", 0, true},
    DockerFlagSpec{"--label", 'l', true},
    DockerFlagSpec{"--label-file", 0, true},
    DockerFlagSpec{"--link", 0, true},
    DockerFlagSpec{"--link-local-ip", 0, true},
    DockerFlagSpec{"--log-driver", 0, true},
    DockerFlagSpec{"--log-opt", 0, true},
    DockerFlagSpec{"--mac-address", 0, true},
    DockerFlagSpec{"--memory", 'm', true},
    DockerFlagSpec{"--memory-reservation", 0, true},
    DockerFlagSpec{"--memory-swap", 0, true},
    DockerFlagSpec{"--memory-swappiness", 0, true},
    DockerFlagSpec{"--mount", 0, true},
    DockerFlagSpec{"--name", 0, true},
    DockerFlagSpec{"--net", 0, true},
    DockerFlagSpec{"--net-alias", 0, true},
    DockerFlagSpec{"--network", 0, true},
    DockerFlagSpec{"--network-alias", 0, true},
    DockerFlagSpec{"--oom-score-adj", 0, true},
    DockerFlagSpec{"--pid", 0, true},
    DockerFlagSpec{"--pids-limit", 0, true},
    DockerFlagSpec{"--platform", 0, true},
    DockerFlagSpec{"--publish", 'p', true},
    DockerFlagSpec{"--pull", 0, true},
    DockerFlagSpec{"--restart", 0, true},
    DockerFlagSpec{"--runtime", 0, true},
    DockerFlagSpec{"--security-opt", 0, true},
    DockerFlagSpec{"--shm-size", 0, true},
    DockerFlagSpec{"--stop-signal", 0, true},
    DockerFlagSpec{"--stop-timeout", 0, true},
    DockerFlagSpec{"--storage-opt", 0, true},
    DockerFlagSpec{"--sysctl", 0, true},
    DockerFlagSpec{"--tmpfs", 0, true},
    DockerFlagSpec{"--ulimit", 0, true},
    DockerFlagSpec{"--user", 'u', true},
    DockerFlagSpec{"--userns", 0, true},
    DockerFlagSpec{"--uts", 0, true},
    DockerFlagSpec{"--volume", 'v', true},
    DockerFlagSpec{"--volume-driver", 0, true},
    DockerFlagSpec{"--volumes-from", 0, true},
    DockerFlagSpec{"--workdir", 'w', true},
    // Boolean flags.
    DockerFlagSpec{"--detach", 'd', false},
    DockerFlagSpec{"--disable-content-trust", 0, false},
    DockerFlagSpec{"--init", 0, false},
    DockerFlagSpec{"--interactive", 'i', false},
    DockerFlagSpec{"--no-healthcheck", 0, false},
    DockerFlagSpec{"--oom-kill-disable", 0, false},
    DockerFlagSpec{"--privileged", 0, false},
    DockerFlagSpec{"--publish-all", 'P', false},
    DockerFlagSpec{"--quiet", 'q', false},
    DockerFlagSpec{"--read-only", 0, false},
    DockerFlagSpec{"--rm", 0, false},
    DockerFlagSpec{"--sig-proxy", 0, false},
    DockerFlagSpec{"--tty", 't', false},
};

}  // namespace

std::span<const DockerFlagSpec> dockerRunFlags() { return kRunFlags; }

std::vector<std::string> RunCommand::misplacedFlags() const {
  // Only long forms: one-letter words such as -e or -c are ordinary arguments of many programs.
  static constexpr std::array kTelling = {"--env", "--entrypoint", "--workdir",
                                          "--rm",  "--detach",     "--privileged"};
  std::vector<std::string> found;
  for (const auto& arg : args) {
    const std::string name = arg.substr(0, arg.find('='));
    if (std::find(kTelling.begin(), kTelling.end(), name) != kTelling.end()) found.push_back(name);
  }
  return found;
}

RunCommand RunCommand::parse(std::string_view cmd) {
  try {
    DockerArguments parsed = parseDockerArguments(splitShellWords(cmd), kRunFlags, false);
    if (parsed.positionals.empty()) throw std::invalid_argument("no image given");
    RunCommand command;
    command.flags = std::move(parsed.flags);
    command.image = parsed.positionals.front();
    command.args.assign(parsed.positionals.begin() + 1, parsed.positionals.end());
    return command;
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("cmd: ") + e.what());
  }
}

}  // namespace hangar::runner
