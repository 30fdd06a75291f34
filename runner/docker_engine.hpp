#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runner/buildah_engine.hpp"
#include "runner/process_launcher.hpp"
#include "runner/task_run.hpp"

namespace hangar::runner {

/// The per-run facts every docker command of a run refers to (secret volumes come in the plans).
struct DockerRunContext {
  std::string runId;
  std::filesystem::path workspace;       // absolute host directory mounted at /workspace
  std::filesystem::path configDir;       // DOCKER_CONFIG of every call: the run's own config.json
  std::filesystem::path registriesConf;  // CONTAINERS_REGISTRIES_CONF: mirrors for podman as `docker`
  std::vector<std::string> hostAliases;  // step ids: each gets --add-host ID:127.0.0.1
};

/// Builds the docker CLI command lines of a run from the same plans as BuildahEngine (so a step means
/// the same on both engines); pure: it starts nothing. Credentials live only in DOCKER_CONFIG (filled by
/// `login` through stdin), and container env values only in an --env-file, never on argv.
class DockerEngine {
 public:
  DockerEngine(EngineSettings settings, DockerRunContext context);

  /// `docker build FLAGS... CONTEXT` in the plan's directory; secret build args by name, value in the env.
  ProcessSpec build(const BuildPlan& plan) const;
  /// `docker push IMAGE`; podman (a docker-compatible CLI) also gets `--digestfile D`, as it prints
  /// no digest (docker prints "digest: sha256:…", see pushedDigest).
  ProcessSpec push(const std::string& image, const std::filesystem::path& digestFile) const;
  /// `docker login --username U --password-stdin HOST`, the password on stdin.
  ProcessSpec login(const std::string& host, const std::string& username, const std::string& password) const;
  /// `docker pull IMAGE`.
  ProcessSpec pull(const std::string& image) const;
  /// `docker run [--rm] [--detach] --name N --network host --add-host ID:127.0.0.1... -v WS:/workspace
  /// [-w D] [--user U] [--entrypoint E] [--privileged] PLAN-OPTIONS... --env-file F IMAGE ARGS...`, the
  /// plan's options holding the volumeMounts (`-v DIR:PATH:ro`) and the cmd's own docker-run flags.
  /// The plan's env goes into `envFile` (written by writeEnvFile). `remove` = --rm (not for keep).
  ProcessSpec runContainer(const ContainerPlan& plan, const config::Step& step, const std::string& name,
                           const std::filesystem::path& envFile, bool remove) const;
  /// `docker logs --follow N`: a detached container's output, until it stops.
  ProcessSpec followLogs(const std::string& name) const;
  /// `docker rm -f N`.
  ProcessSpec removeContainer(const std::string& name) const;
  /// `docker image inspect --format {{json .RepoDigests}} IMAGE`.
  ProcessSpec imageDigests(const std::string& image) const;

  /// "hangar-<runId>-<stepId>", characters a container name cannot hold replaced by '_'.
  std::string containerName(std::string_view stepId) const;

 private:
  ProcessSpec command(std::vector<std::string> args) const;

  EngineSettings settings_;
  DockerRunContext context_;
};

/// The digest `docker push` printed ("TAG: digest: sha256:<64 hex> size: N"), or "" when none.
std::string pushedDigest(std::string_view output);

/// The digest of `image` (registry/repository) in `docker image inspect` RepoDigests JSON
/// (["reg/repo@sha256:…"]), or "" when it has none for that repository.
std::string repoDigestOf(std::string_view inspectOutput, const std::string& repository);

/// Writes "K=V" entries to `file` (mode 0600) in docker's --env-file format. Throws
/// std::invalid_argument naming the variable (never its value) when a value holds a line break, which
/// that format cannot carry, and std::runtime_error when the file cannot be written.
void writeEnvFile(const std::filesystem::path& file, const std::vector<std::string>& env);

}  // namespace hangar::runner
