#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/task.hpp"
#include "runner/build_command.hpp"
#include "runner/image_config.hpp"
#include "runner/process_launcher.hpp"
#include "runner/task_run.hpp"

namespace hangar::runner {

/// The per-run facts every buildah command of a run refers to.
struct BuildahRunContext {
  std::string runId;
  std::filesystem::path workspace;              // absolute host directory mounted at /workspace
  std::filesystem::path authFile;               // --authfile of from, build and push (mode 0600)
  std::filesystem::path registriesConf;         // CONTAINERS_REGISTRIES_CONF of every call
  std::vector<std::string> hostAliases;         // step ids: each resolves to 127.0.0.1 in cmd containers
  std::vector<std::string> insecureRegistries;  // hosts reached without TLS besides loopback ones
  std::vector<std::string> secretValues;        // build args holding one travel in the environment
  std::map<std::string, std::filesystem::path> secretVolumes;  // volume name -> host directory (0700)
  std::string registry;                                        // $Registry: where `cache: enabled` may go
  std::string taskName;                                        // the configured task; empty = a quick run
};

/// A build step translated for `buildah build`: what the step asked, what buildah gets, and notes
/// about flags that buildah cannot honour (dropped, never silently).
struct BuildPlan {
  BuildCommand command;
  std::vector<std::string> flags;          // buildah build flags after the fixed ones, context excluded
  std::map<std::string, std::string> env;  // build args passed by name only, their values in the env
  std::filesystem::path workingDirectory;  // host directory the build runs in (the step's, in the workspace)
  std::vector<std::string> warnings;
  std::optional<std::string>
      cacheRepository;  // `cache: enabled`: where the layer cache goes (build_cache.hpp)
};

/// A cmd step translated for `buildah from` + `buildah run`: the image, the command, and the
/// docker-run flags sorted into the options of each buildah verb.
struct ContainerPlan {
  std::string image;
  std::vector<std::string> args;
  std::optional<std::string> entrypoint;  // the cmd's --entrypoint, else the step's entryPoint
  std::string workingDirectory;           // the cmd's --workdir, else the step's; empty = the image's
  std::optional<std::string> user;        // the cmd's --user, else the step's user
  std::vector<std::string> env;           // "K=V": the step's env, then the cmd's --env (later wins)
  std::vector<std::string> fromOptions;   // buildah from options from docker-run flags
  std::vector<std::string> runOptions;    // buildah run options from docker-run flags
  std::string pull = "missing";           // buildah --pull policy: local images first, like docker run
  bool detach = false;
  std::vector<std::string> warnings;

  /// The directory the command runs in: workingDirectory, else the image's WORKDIR, else "/".
  std::string effectiveWorkingDirectory(const ImageConfig& image) const;
};

/// Builds the buildah command lines of a run; pure: it starts nothing, so every rule is unit-tested.
/// Every command carries the global `--storage-driver`, runs with CONTAINERS_REGISTRIES_CONF set to
/// the run's registries.conf, and gets credentials only through `--authfile` (never on argv).
class BuildahEngine {
 public:
  BuildahEngine(EngineSettings settings, BuildahRunContext context);

  /// Throws std::invalid_argument for an unparsable build string or a working directory outside
  /// /workspace (builds run on the host, in the workspace copy).
  BuildPlan planBuild(const config::Step& step, std::string_view taskWorkingDirectory) const;
  /// `buildah build --isolation I --authfile F --layers [--pull=missing] FLAGS... CONTEXT`.
  ProcessSpec build(const BuildPlan& plan) const;
  /// `buildah push --authfile F --digestfile D [--tls-verify=false] IMAGE docker://IMAGE`.
  ProcessSpec push(const std::string& image, const std::filesystem::path& digestFile) const;

  /// Throws std::invalid_argument for an unparsable cmd string or a volumeMount naming no volume.
  /// Each volumeMount becomes `--volume HOST:PATH:ro` (read-only) on `buildah run`.
  ContainerPlan planContainer(const config::Step& step, std::string_view taskWorkingDirectory) const;
  /// `buildah from --name N --pull=P --authfile F [--add-host ...] [--tls-verify=false] IMAGE`.
  ProcessSpec createContainer(const ContainerPlan& plan, const std::string& name) const;
  /// `buildah inspect --type container N` (read with ImageConfig::parseInspectOutput).
  ProcessSpec inspectContainer(const std::string& name) const;
  /// `buildah run --isolation I -v WS:/workspace ... --workingdir D [--user U] --env K=V... N -- ARGV`.
  /// Throws std::invalid_argument when there is nothing to run (see composeContainerArgv).
  ProcessSpec runContainer(const ContainerPlan& plan, const std::string& name,
                           const ImageConfig& image) const;
  /// `buildah pull --policy P --authfile F --retry N --retry-delay Ds [--tls-verify=false] IMAGE`:
  /// the `pull` step property with cmdDownloadRetries / cmdDownloadRetryDelay.
  ProcessSpec pull(const std::string& image, const std::string& policy, int retries,
                   int retryDelaySeconds) const;
  /// `buildah images --noheading --format {{.Digest}} IMAGE`: the digest a local image was pulled with.
  ProcessSpec imageDigest(const std::string& image) const;
  /// `buildah info --format ...`: prints the storage's graph root, then its driver, one a line.
  ProcessSpec storageInfo() const;
  /// `buildah rm N`.
  ProcessSpec removeContainer(const std::string& name) const;
  /// `buildah tag IMAGE NAME`.
  ProcessSpec tagImage(const std::string& image, const std::string& name) const;

  /// "hangar-<runId>-<stepId>", characters a container name cannot hold replaced by '_'.
  std::string containerName(std::string_view stepId) const;

 private:
  ProcessSpec command(std::vector<std::string> verbAndArgs) const;
  bool plainHttp(std::string_view registryHost) const;

  EngineSettings settings_;
  BuildahRunContext context_;
  std::string instance_;  // random per engine: run ids are unique per state dir, not per machine
};

/// The directory a step runs in inside its container (§2.2): the step's workingDirectory, else the
/// task's, else /workspace; a relative one is joined onto /workspace; the result is cleaned.
std::string containerWorkingDirectory(std::string_view stepWorkingDirectory,
                                      std::string_view taskWorkingDirectory);

/// The host path of a container path under /workspace; nullopt when it is elsewhere.
std::optional<std::filesystem::path> hostPathInWorkspace(std::string_view containerPath,
                                                         const std::filesystem::path& workspace);

}  // namespace hangar::runner
