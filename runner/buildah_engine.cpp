#include "runner/buildah_engine.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <random>
#include <stdexcept>

#include "registry/image_reference.hpp"
#include "runner/build_cache.hpp"
#include "runner/run_command.hpp"

namespace hangar::runner {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kWorkspace = "/workspace";

template <size_t N>
bool oneOf(std::string_view name, const std::array<std::string_view, N>& names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// docker build flags buildah build takes unchanged.
constexpr auto kBuildPassThrough = std::to_array<std::string_view>({"--add-host",
                                                                    "--annotation",
                                                                    "--build-context",
                                                                    "--cache-from",
                                                                    "--cache-to",
                                                                    "--cgroup-parent",
                                                                    "--cpu-period",
                                                                    "--cpu-quota",
                                                                    "--cpu-shares",
                                                                    "--cpuset-cpus",
                                                                    "--cpuset-mems",
                                                                    "--file",
                                                                    "--iidfile",
                                                                    "--label",
                                                                    "--memory",
                                                                    "--memory-swap",
                                                                    "--output",
                                                                    "--platform",
                                                                    "--secret",
                                                                    "--security-opt",
                                                                    "--shm-size",
                                                                    "--ssh",
                                                                    "--tag",
                                                                    "--target",
                                                                    "--ulimit",
                                                                    "--compress",
                                                                    "--disable-content-trust",
                                                                    "--force-rm",
                                                                    "--no-cache",
                                                                    "--squash",
                                                                    "--quiet",
                                                                    "--rm"});

// docker run flags that become `buildah from` options.
constexpr auto kFromPassThrough = std::to_array<std::string_view>(
    {"--platform", "--dns", "--dns-option", "--dns-search", "--security-opt", "--ulimit", "--shm-size",
     "--memory", "--memory-swap", "--cpu-period", "--cpu-quota", "--cpu-shares", "--cpuset-cpus",
     "--cpuset-mems", "--device", "--cgroup-parent"});

// docker run flags that become `buildah run` options.
constexpr auto kRunPassThrough =
    std::to_array<std::string_view>({"--hostname", "--cap-add", "--cap-drop", "--mount"});

// docker run flags with nothing to do here: the container is named by Hangar, never attached to a
// terminal, removed at the end of the step, and runs as root in a chroot.
constexpr auto kRunNoEffect =
    std::to_array<std::string_view>({"--rm", "--interactive", "--tty", "--name", "--sig-proxy", "--quiet",
                                     "--disable-content-trust", "--privileged", "--detach-keys"});

// docker run flags about networking: steps share the host network.
constexpr auto kRunNetwork = std::to_array<std::string_view>(
    {"--network", "--net", "--network-alias", "--net-alias", "--publish", "--publish-all", "--expose",
     "--link", "--ip", "--ip6", "--mac-address", "--link-local-ip"});

bool flagIsTrue(const DockerFlag& flag) {
  return !flag.value || (*flag.value != "false" && *flag.value != "0" && *flag.value != "False");
}

// The value of K in "K=V" entries (the last one wins); nullopt when absent.
std::optional<std::string> lookupEnv(const std::vector<std::string>& env, std::string_view key) {
  std::optional<std::string> found;
  for (const auto& entry : env) {
    const auto equals = entry.find('=');
    if (equals != std::string::npos && std::string_view(entry).substr(0, equals) == key) {
      found = entry.substr(equals + 1);
    }
  }
  return found;
}

// Names a build arg may travel under in buildah's own environment without changing how buildah runs.
bool safeEnvironmentName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  static constexpr auto kReserved =
      std::to_array<std::string_view>({"PATH", "HOME", "TMPDIR", "USER", "SHELL", "PWD", "IFS", "TZ"});
  static constexpr auto kReservedPrefixes = std::to_array<std::string_view>(
      {"LD_", "BUILDAH_", "CONTAINERS_", "REGISTRY_", "STORAGE_", "XDG_", "DBUS_", "GODEBUG", "GOMAXPROCS",
       "GOGC", "GOMEMLIMIT", "GOTRACEBACK"});
  if (oneOf(name, kReserved)) return false;
  return std::none_of(kReservedPrefixes.begin(), kReservedPrefixes.end(),
                      [&](std::string_view prefix) { return name.starts_with(prefix); });
}

void appendFlag(std::vector<std::string>& out, const DockerFlag& flag, bool takesValue) {
  if (takesValue) {
    out.push_back(flag.name);
    out.push_back(flag.value.value_or(""));
  } else if (flag.value) {
    out.push_back(flag.name + "=" + *flag.value);
  } else {
    out.push_back(flag.name);
  }
}

bool buildFlagTakesValue(std::string_view name) {
  for (const auto& spec : dockerBuildFlags()) {
    if (spec.name == name) return spec.takesValue;
  }
  return false;
}

bool validHostAlias(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

std::string registryOf(std::string_view image) {
  try {
    return registry::ImageReference::parse(image).registry;
  } catch (const std::invalid_argument&) {
    return {};  // an unparsable name: buildah reports it when it tries to use it
  }
}

}  // namespace

std::string containerWorkingDirectory(std::string_view stepWorkingDirectory,
                                      std::string_view taskWorkingDirectory) {
  const std::string_view chosen = stepWorkingDirectory.empty() ? taskWorkingDirectory : stepWorkingDirectory;
  if (chosen.empty()) return std::string(kWorkspace);
  std::string cleaned = (fs::path(kWorkspace) / fs::path(chosen)).lexically_normal().generic_string();
  while (cleaned.size() > 1 && cleaned.back() == '/') cleaned.pop_back();
  return cleaned;
}

std::optional<fs::path> hostPathInWorkspace(std::string_view containerPath, const fs::path& workspace) {
  std::string cleaned = fs::path(containerPath).lexically_normal().generic_string();
  while (cleaned.size() > 1 && cleaned.back() == '/') cleaned.pop_back();
  if (cleaned == kWorkspace) return workspace;
  const std::string prefix = std::string(kWorkspace) + "/";
  if (cleaned.starts_with(prefix)) return workspace / cleaned.substr(prefix.size());
  return std::nullopt;
}

std::string ContainerPlan::effectiveWorkingDirectory(const ImageConfig& image) const {
  if (!workingDirectory.empty()) return workingDirectory;
  if (!image.workingDir.empty()) return image.workingDir;
  return "/";
}

namespace {

std::string randomToken() {
  std::random_device random;
  char token[9];
  std::snprintf(token, sizeof token, "%08x", static_cast<unsigned>(random()));
  return std::string(token, 6);
}

}  // namespace

BuildahEngine::BuildahEngine(EngineSettings settings, BuildahRunContext context)
    : settings_(std::move(settings)), context_(std::move(context)), instance_(randomToken()) {}

ProcessSpec BuildahEngine::command(std::vector<std::string> verbAndArgs) const {
  ProcessSpec spec;
  spec.argv.push_back(settings_.binary.empty() ? settings_.kind : settings_.binary);
  if (!settings_.storageDriver.empty()) {
    spec.argv.push_back("--storage-driver");
    spec.argv.push_back(settings_.storageDriver);
  }
  spec.argv.insert(spec.argv.end(), std::make_move_iterator(verbAndArgs.begin()),
                   std::make_move_iterator(verbAndArgs.end()));
  spec.env["CONTAINERS_REGISTRIES_CONF"] = context_.registriesConf.string();
  return spec;
}

bool BuildahEngine::plainHttp(std::string_view registryHost) const {
  if (registryHost.empty()) return false;
  if (registry::isLoopbackRegistry(registryHost)) return true;
  return std::find(context_.insecureRegistries.begin(), context_.insecureRegistries.end(), registryHost) !=
         context_.insecureRegistries.end();
}

std::string BuildahEngine::containerName(std::string_view stepId) const {
  // buildah's container names are global to its storage: two agents with separate state dirs can
  // issue the same run id, so a random part keeps their containers apart.
  std::string name = "hangar-" + context_.runId + "-" + instance_ + "-" + std::string(stepId);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  }
  return name;
}

BuildPlan BuildahEngine::planBuild(const config::Step& step, std::string_view taskWorkingDirectory) const {
  BuildPlan plan;
  plan.command = BuildCommand::parse(step.build);
  const std::string directory = step.disableWorkingDirectoryOverride
                                    ? std::string(kWorkspace)
                                    : containerWorkingDirectory(step.workingDirectory, taskWorkingDirectory);
  const auto host = hostPathInWorkspace(directory, context_.workspace);
  if (!host) {
    throw std::invalid_argument("build: working directory '" + directory +
                                "' is outside /workspace; build steps run in the workspace");
  }
  plan.workingDirectory = *host;
  if (!step.volumeMounts.empty()) {
    plan.warnings.push_back(
        "volumeMounts are not mounted into build steps: buildah builds on the host, in the workspace");
  }

  bool pullGiven = false;
  for (const auto& flag : plan.command.flags) {
    const std::string& name = flag.name;
    if (oneOf(name, kBuildPassThrough)) {
      appendFlag(plan.flags, flag, buildFlagTakesValue(name));
    } else if (name == "--build-arg") {
      const std::string& value = *flag.value;
      const auto equals = value.find('=');
      std::string key = value.substr(0, equals);
      std::string argValue;
      if (equals != std::string::npos) {
        argValue = value.substr(equals + 1);
      } else if (auto fromEnv = lookupEnv(step.env, key)) {
        argValue = *fromEnv;  // docker takes a bare build arg from its environment: the step's env
      } else {
        plan.warnings.push_back("build arg " + key +
                                " has no value and is not in the step's env: not passed");
        continue;
      }
      const bool holdsSecret = std::any_of(
          context_.secretValues.begin(), context_.secretValues.end(),
          [&](const std::string& s) { return !s.empty() && argValue.find(s) != std::string::npos; });
      if (!holdsSecret) {
        plan.flags.insert(plan.flags.end(), {"--build-arg", key + "=" + argValue});
      } else if (safeEnvironmentName(key)) {
        plan.flags.insert(plan.flags.end(), {"--build-arg", key});  // buildah reads the value from its env
        plan.env[key] = argValue;
      } else {
        throw std::invalid_argument(
            "build: build arg '" + key +
            "' holds a secret and cannot be passed through the environment under that "
            "name; rename it (letters, digits and '_')");
      }
    } else if (name == "--pull") {
      pullGiven = true;
      plan.flags.push_back(flagIsTrue(flag) ? "--pull=always" : "--pull=missing");
    } else if (name == "--network") {
      const std::string value = flag.value.value_or("");
      if (value == "host" || value == "none" || value == "private") {
        appendFlag(plan.flags, flag, true);
      } else {
        plan.warnings.push_back("build: --network " + value +
                                " is ignored: build steps use the host network");
      }
    } else if (name == "--isolation") {
      plan.warnings.push_back("build: --isolation " + flag.value.value_or("") + " is ignored: buildah uses " +
                              settings_.isolation + " isolation");
    } else if (name == "--push") {
      plan.warnings.push_back(
          "build: --push is not supported by buildah build and is ignored; use a push step");
    } else if (name == "--load") {
      plan.warnings.push_back("build: --load is ignored: built images always stay in local storage");
    } else {
      plan.warnings.push_back("build: " + name + " is not supported by buildah build and is ignored");
    }
  }
  if (!pullGiven) plan.flags.insert(plan.flags.begin(), "--pull=missing");
  if (step.cache) {
    plan.cacheRepository =
        buildCacheRepository(plan.command.tags(), context_.registry, context_.taskName, step.id);
    if (!plan.cacheRepository) {
      plan.warnings.push_back(
          "build: cache: enabled needs a tag or a registry to keep the cache in; local layers are cached");
    }
  }
  if (!step.network.empty() && step.network != "host") {
    plan.warnings.push_back("network '" + step.network + "' is ignored: steps share the host network");
  }
  return plan;
}

ProcessSpec BuildahEngine::build(const BuildPlan& plan) const {
  std::vector<std::string> args = {
      "build", "--isolation", settings_.isolation, "--authfile", context_.authFile.string(), "--layers"};
  args.insert(args.end(), plan.flags.begin(), plan.flags.end());
  if (plan.cacheRepository)
    args.insert(args.end(), {"--cache-to", *plan.cacheRepository, "--cache-from", *plan.cacheRepository});
  args.push_back(plan.command.context);
  ProcessSpec spec = command(std::move(args));
  for (const auto& [key, value] : plan.env) spec.env[key] = value;
  spec.workingDirectory = plan.workingDirectory;
  return spec;
}

ProcessSpec BuildahEngine::push(const std::string& image, const fs::path& digestFile) const {
  const auto reference = registry::ImageReference::parse(image);
  std::vector<std::string> args = {"push", "--authfile", context_.authFile.string(), "--digestfile",
                                   digestFile.string()};
  if (plainHttp(reference.registry)) args.push_back("--tls-verify=false");
  args.push_back(image);
  args.push_back("docker://" + reference.str());
  return command(std::move(args));
}

ContainerPlan BuildahEngine::planContainer(const config::Step& step,
                                           std::string_view taskWorkingDirectory) const {
  const RunCommand run = RunCommand::parse(step.cmd);
  ContainerPlan plan;
  plan.image = run.image;
  plan.args = run.args;
  plan.env = step.env;
  plan.detach = step.detach;
  if (!step.entryPoint.empty()) plan.entrypoint = step.entryPoint;
  if (!step.user.empty()) plan.user = step.user;
  if (step.pull) plan.pull = "always";
  if (!step.disableWorkingDirectoryOverride) {
    plan.workingDirectory = containerWorkingDirectory(step.workingDirectory, taskWorkingDirectory);
  }

  std::vector<std::string> userHosts;
  bool networkNoted = false;
  for (const auto& flag : run.flags) {
    const std::string& name = flag.name;
    const std::string value = flag.value.value_or("");
    if (name == "--env") {
      if (value.find('=') != std::string::npos) {
        plan.env.push_back(value);
      } else if (auto fromStep = lookupEnv(step.env, value)) {
        plan.env.push_back(value + "=" + *fromStep);
      } else {
        plan.warnings.push_back("cmd: --env " + value +
                                " has no value and is not in the step's env: not set");
      }
    } else if (name == "--entrypoint") {
      plan.entrypoint = value;
    } else if (name == "--workdir") {
      plan.workingDirectory = containerWorkingDirectory(value, "");
    } else if (name == "--user") {
      plan.user = value;
    } else if (name == "--detach") {
      plan.detach = flagIsTrue(flag);
    } else if (name == "--pull") {
      if (value == "always" || value == "missing" || value == "never") {
        plan.pull = value;
      } else {
        plan.warnings.push_back("cmd: --pull " + value + " is not one of always, missing, never: ignored");
      }
    } else if (name == "--add-host") {
      userHosts.push_back(value);
    } else if (name == "--volume") {
      if (value.starts_with('/')) {
        plan.runOptions.insert(plan.runOptions.end(), {"--volume", value});
      } else {
        plan.warnings.push_back("cmd: --volume " + value +
                                " is ignored: only absolute host paths can be mounted (no named volumes)");
      }
    } else if (oneOf(name, kRunPassThrough)) {
      plan.runOptions.insert(plan.runOptions.end(), {name, value});
    } else if (oneOf(name, kFromPassThrough)) {
      plan.fromOptions.insert(plan.fromOptions.end(), {name, value});
    } else if (oneOf(name, kRunNoEffect)) {
      continue;
    } else if (oneOf(name, kRunNetwork)) {
      if (!networkNoted) {
        plan.warnings.push_back("cmd: " + name + " has no effect: steps share the host network");
        networkNoted = true;
      }
    } else {
      plan.warnings.push_back("cmd: " + name + " is not supported by the buildah engine and is ignored");
    }
  }
  // The cmd's own --add-host entries first: the first line of /etc/hosts that matches wins.
  for (const auto& host : userHosts) plan.fromOptions.insert(plan.fromOptions.end(), {"--add-host", host});

  for (const auto& misplaced : run.misplacedFlags()) {
    plan.warnings.push_back("cmd: '" + misplaced + "' comes after the image '" + run.image +
                            "', so it is an argument of the container's command; docker-run flags go before "
                            "the image");
  }
  if (!step.network.empty() && step.network != "host") {
    plan.warnings.push_back("network '" + step.network + "' is ignored: steps share the host network");
  }
  if (!step.ports.empty() || !step.expose.empty()) {
    plan.warnings.push_back("ports and expose have no effect: steps share the host network");
  }
  for (const auto& mount : step.volumeMounts) {
    const auto volume = context_.secretVolumes.find(mount.name);
    if (volume == context_.secretVolumes.end()) {
      throw std::invalid_argument("volumeMounts: '" + mount.name + "' is not a volume of the task");
    }
    plan.runOptions.insert(plan.runOptions.end(),
                           {"--volume", volume->second.string() + ":" + mount.mountPath + ":ro"});
  }
  if (!step.cpus.empty())
    plan.warnings.push_back("cpus is not supported by the buildah engine and is ignored");
  if (step.privileged) {
    // buildah run has no --privileged; every capability is the nearest (chroot isolation as root
    // shares the host's devices already).
    plan.runOptions.insert(plan.runOptions.end(), {"--cap-add", "all"});
  }
  if (!step.isolation.empty() && step.isolation != "default") {
    plan.warnings.push_back("isolation '" + step.isolation + "' is ignored: buildah uses " +
                            settings_.isolation + " isolation");
  }
  return plan;
}

ProcessSpec BuildahEngine::createContainer(const ContainerPlan& plan, const std::string& name) const {
  std::vector<std::string> args = {
      "from", "--name", name, "--pull=" + plan.pull, "--authfile", context_.authFile.string()};
  args.insert(args.end(), plan.fromOptions.begin(), plan.fromOptions.end());
  for (const auto& id : context_.hostAliases) {
    if (validHostAlias(id)) args.insert(args.end(), {"--add-host", id + ":127.0.0.1"});
  }
  if (plainHttp(registryOf(plan.image))) args.push_back("--tls-verify=false");
  args.push_back(plan.image);
  return command(std::move(args));
}

ProcessSpec BuildahEngine::inspectContainer(const std::string& name) const {
  return command({"inspect", "--type", "container", name});
}

ProcessSpec BuildahEngine::runContainer(const ContainerPlan& plan, const std::string& name,
                                        const ImageConfig& image) const {
  const auto argv = composeContainerArgv(image, plan.entrypoint, plan.args);
  std::vector<std::string> args = {"run", "--isolation", settings_.isolation, "--volume",
                                   context_.workspace.string() + ":/workspace"};
  args.insert(args.end(), plan.runOptions.begin(), plan.runOptions.end());
  args.insert(args.end(), {"--workingdir", plan.effectiveWorkingDirectory(image)});
  if (plan.user) args.insert(args.end(), {"--user", *plan.user});
  for (const auto& entry : plan.env) args.insert(args.end(), {"--env", entry});
  args.push_back(name);
  args.push_back("--");
  args.insert(args.end(), argv.begin(), argv.end());
  return command(std::move(args));
}

ProcessSpec BuildahEngine::pull(const std::string& image, const std::string& policy, int retries,
                                int retryDelaySeconds) const {
  std::vector<std::string> args = {"pull",
                                   "--policy",
                                   policy,
                                   "--authfile",
                                   context_.authFile.string(),
                                   "--retry",
                                   std::to_string(std::max(0, retries))};
  if (retryDelaySeconds > 0)
    args.insert(args.end(), {"--retry-delay", std::to_string(retryDelaySeconds) + "s"});
  if (plainHttp(registryOf(image))) args.push_back("--tls-verify=false");
  args.push_back(image);
  return command(std::move(args));
}

ProcessSpec BuildahEngine::imageDigest(const std::string& image) const {
  return command({"images", "--noheading", "--format", "{{.Digest}}", image});
}

ProcessSpec BuildahEngine::storageInfo() const {
  return command({"info", "--format", "{{.store.GraphRoot}}\n{{.store.GraphDriverName}}"});
}

ProcessSpec BuildahEngine::removeContainer(const std::string& name) const { return command({"rm", name}); }

ProcessSpec BuildahEngine::tagImage(const std::string& image, const std::string& name) const {
  return command({"tag", image, name});
}

}  // namespace hangar::runner
