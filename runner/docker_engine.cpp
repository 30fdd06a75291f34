#include "runner/docker_engine.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>

namespace hangar::runner {

DockerEngine::DockerEngine(EngineSettings settings, DockerRunContext context)
    : settings_(std::move(settings)), context_(std::move(context)) {
  if (settings_.binary.empty()) settings_.binary = "docker";
}

ProcessSpec DockerEngine::command(std::vector<std::string> args) const {
  ProcessSpec spec;
  spec.argv.push_back(settings_.binary);
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env["DOCKER_CONFIG"] = context_.configDir.string();
  if (!context_.registriesConf.empty())
    spec.env["CONTAINERS_REGISTRIES_CONF"] = context_.registriesConf.string();
  return spec;
}

ProcessSpec DockerEngine::build(const BuildPlan& plan) const {
  std::vector<std::string> args = {"build"};
  for (const auto& flag : plan.flags) {
    // The plan speaks buildah's --pull=POLICY; docker's --pull is a switch: "always pull".
    if (flag.starts_with("--pull=")) {
      if (flag == "--pull=always" || flag == "--pull=true") args.push_back("--pull");
      continue;
    }
    args.push_back(flag);
  }
  // podman keeps a layer cache in a repository as buildah does; docker's default builder cannot export
  // one (that needs a buildx builder), so docker builds with its local cache only.
  if (plan.cacheRepository && std::filesystem::path(settings_.binary).filename() == "podman")
    args.insert(args.end(), {"--cache-to", *plan.cacheRepository, "--cache-from", *plan.cacheRepository});
  args.push_back(plan.command.context);
  ProcessSpec spec = command(std::move(args));
  for (const auto& [key, value] : plan.env) spec.env[key] = value;  // `--build-arg KEY` reads it
  spec.workingDirectory = plan.workingDirectory;
  return spec;
}

ProcessSpec DockerEngine::push(const std::string& image, const std::filesystem::path& digestFile) const {
  if (std::filesystem::path(settings_.binary).filename() == "podman")
    return command({"push", "--digestfile", digestFile.string(), image});
  return command({"push", image});
}

std::string pushedDigest(std::string_view output) {
  static const std::regex digest("digest: (sha256:[0-9a-f]{64})");
  std::match_results<std::string_view::const_iterator> match;
  if (std::regex_search(output.begin(), output.end(), match, digest)) return match[1].str();
  return "";
}

std::string repoDigestOf(std::string_view inspectOutput, const std::string& repository) {
  const auto json = nlohmann::json::parse(inspectOutput, nullptr, false);
  if (!json.is_array()) return "";
  for (const auto& entry : json) {
    if (!entry.is_string()) continue;
    const std::string text = entry.get<std::string>();
    const auto at = text.find('@');
    if (at != std::string::npos && text.substr(0, at) == repository) return text.substr(at + 1);
  }
  return "";
}

ProcessSpec DockerEngine::login(const std::string& host, const std::string& username,
                                const std::string& password) const {
  ProcessSpec spec = command({"login", "--username", username, "--password-stdin", host});
  spec.stdinData = password;
  return spec;
}

ProcessSpec DockerEngine::pull(const std::string& image) const { return command({"pull", image}); }

ProcessSpec DockerEngine::runContainer(const ContainerPlan& plan, const config::Step& step,
                                       const std::string& name, const std::filesystem::path& envFile,
                                       bool remove) const {
  std::vector<std::string> args = {"run"};
  if (remove) args.push_back("--rm");
  if (plan.detach) args.push_back("--detach");
  args.insert(args.end(), {"--name", name, "--network", "host"});
  for (const auto& id : context_.hostAliases) args.insert(args.end(), {"--add-host", id + ":127.0.0.1"});
  args.insert(args.end(), {"--volume", context_.workspace.string() + ":/workspace"});
  if (!plan.workingDirectory.empty()) args.insert(args.end(), {"--workdir", plan.workingDirectory});
  if (plan.user) args.insert(args.end(), {"--user", *plan.user});
  if (plan.entrypoint) args.insert(args.end(), {"--entrypoint", *plan.entrypoint});
  if (step.privileged) args.push_back("--privileged");
  args.insert(args.end(), plan.fromOptions.begin(), plan.fromOptions.end());
  args.insert(args.end(), plan.runOptions.begin(), plan.runOptions.end());
  args.insert(args.end(), {"--env-file", envFile.string(), plan.image});
  args.insert(args.end(), plan.args.begin(), plan.args.end());
  return command(std::move(args));
}

ProcessSpec DockerEngine::followLogs(const std::string& name) const {
  return command({"logs", "--follow", name});
}

ProcessSpec DockerEngine::removeContainer(const std::string& name) const {
  return command({"rm", "-f", name});
}

ProcessSpec DockerEngine::imageDigests(const std::string& image) const {
  return command({"image", "inspect", "--format", "{{json .RepoDigests}}", image});
}

std::string DockerEngine::containerName(std::string_view stepId) const {
  std::string name = "hangar-" + context_.runId + "-" + std::string(stepId);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  }
  return name;
}

void writeEnvFile(const std::filesystem::path& file, const std::vector<std::string>& env) {
  std::string text;
  for (const auto& entry : env) {
    const auto name = entry.substr(0, entry.find('='));
    if (entry.find_first_of("\r\n") != std::string::npos)
      throw std::invalid_argument("env " + name +
                                  ": a value with a line break cannot be passed to docker run");
    text += entry + "\n";
  }
  // A fresh file each time, created exclusively and never through a symlink: whatever was at the path
  // (an earlier attempt's file, or a link planted to redirect the secrets) is removed, not written through.
  if (::unlink(file.c_str()) != 0 && errno != ENOENT)
    throw std::runtime_error("cannot replace " + file.string() + ": " + std::strerror(errno));
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(error));
    }
    written += static_cast<size_t>(n);
  }
  ::close(fd);
}

}  // namespace hangar::runner
