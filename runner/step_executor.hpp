#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "config/task.hpp"
#include "runner/base_image_digest.hpp"
#include "runner/buildah_engine.hpp"
#include "runner/built_images.hpp"
#include "runner/docker_engine.hpp"
#include "runner/log_sink.hpp"
#include "runner/output_matcher.hpp"
#include "runner/process_launcher.hpp"
#include "runner/run_record.hpp"
#include "runner/secret_masker.hpp"
#include "runner/task_run.hpp"
#include "runner/transient_engine_failure.hpp"
#include "runner/workspace.hpp"

namespace hangar::runner {

/// How a step's execution ended; the run (or a graph scheduler) decides what comes next from it.
enum class StepEnd {
  Succeeded,    // its dependents may start
  Ignored,      // failed with ignoreErrors: recorded as successful, its dependents may start
  Failed,       // failed: the run stops
  TimedOut,     // exceeded its own timeout: the run stops
  RunTimedOut,  // the run's timeout passed while it waited or ran: the run ends with Timeout
  Canceled,     // its stop token was triggered
};

/// One step's record and how it ended.
struct StepResult {
  StepRecord record;
  StepEnd end = StepEnd::Failed;
  bool proceed() const { return end == StepEnd::Succeeded || end == StepEnd::Ignored; }
};

/// Executes single steps of one run with buildah, or the docker CLI when the engine kind is docker (§4
/// translated: buildah-notes.md): build, push and cmd steps with startDelay, timeout (the run's remaining
/// time caps it), retries, retryDelay, retryOnErrors, repeat, ignoreErrors, detach and keep. run() may be
/// called from several threads at once, one step each. Every container it creates is remembered; cleanup()
/// kills detached steps and removes those containers, and the destructor calls it.
class StepExecutor {
 public:
  /// `request`, `workspace`, `launcher` and `log` must outlive the executor.
  StepExecutor(const RunRequest& request, const Workspace& workspace, ProcessLauncher& launcher, LogSink& log,
               std::chrono::steady_clock::time_point runDeadline);
  ~StepExecutor();
  StepExecutor(const StepExecutor&) = delete;
  StepExecutor& operator=(const StepExecutor&) = delete;

  /// Runs one step to its end; never throws for a failing step (the result says why).
  StepResult run(const config::Step& step, std::stop_token stop);
  /// Stops detached steps (their process groups are killed) and runs `buildah rm` for every
  /// container still there, logging failures. Safe to call more than once.
  void cleanup();
  /// The base images of each successful build step (one entry per tag), in completion order.
  std::vector<ImageDependency> dependencies() const;
  /// The images pushed so far, with their digests, in push order.
  std::vector<OutputImage> outputImages() const;

  /// The step's time limit: its own timeout, capped by the run's deadline.
  struct Deadline {
    std::chrono::steady_clock::time_point at;
    bool runs = false;  // true when the run's deadline is the earlier one
    int stepTimeoutSeconds = 0;
  };
  /// How one part of a step ended (a process, a pause, an attempt, the whole step).
  struct Outcome {
    StepEnd end = StepEnd::Succeeded;
    std::string error;
    std::optional<int> exitCode;
    bool detached = false;  // a detached container still runs (and writes to the log)
  };

 private:
  Outcome runWithRetries(const config::Step& step, const Deadline& deadline, std::stop_token stop,
                         const std::function<Outcome(OutputMatcher&)>& attempt);
  Outcome runBuild(const config::Step& step, const Deadline& deadline, std::stop_token stop);
  /// Scans the step's Dockerfile for its base images and looks up their digests; logs and
  /// records them. Never fails the step: problems become a warning.
  void recordDependencies(const config::Step& step, const BuildPlan& plan, const Deadline& deadline,
                          std::stop_token stop);
  Outcome runPush(const config::Step& step, const Deadline& deadline, std::stop_token stop);
  /// After a failed push of `image` whose output says "image not known": gives the name back to the image
  /// this run built under it (BuiltImages), so the next attempt finds it.
  void retagIfUntagged(const config::Step& step, const std::string& image, const std::string& pushOutput,
                       const Deadline& deadline, std::stop_token stop);
  Outcome runCmd(const config::Step& step, const Deadline& deadline, std::stop_token stop);
  Outcome attemptCmd(const config::Step& step, const ContainerPlan& plan, const Deadline& deadline,
                     std::stop_token stop, OutputMatcher& matcher);
  /// One `docker run` of a cmd step (engine kind docker): env through an --env-file, no inspect; a
  /// detached one (`--detach`) has its output followed with `docker logs --follow` until the run ends.
  Outcome attemptDockerCmd(const config::Step& step, const ContainerPlan& plan, const Deadline& deadline,
                           std::stop_token stop, OutputMatcher& matcher);
  /// What a detached step's process is: buildah's container (its exit status is logged; started again,
  /// up to kEngineAttempts runs in all, after a transient engine failure when nothing but the engine
  /// printed), or `docker logs --follow` of a docker container (neither).
  enum class DetachedProcess { EngineContainer, LogFollower };
  /// Starts `spec` and lets it run, in the background, until the run ends.
  Outcome startDetached(const config::Step& step, const ProcessSpec& spec, DetachedProcess kind);

  ProcessResult runProcess(const ProcessSpec& spec, const Deadline& deadline, std::stop_token stop,
                           const OutputHandler& output);
  /// Where a transient engine failure (TransientEngineFailure) may appear for the process to run again:
  /// only when nothing but the engine printed (a cmd step's command must not run twice), or anywhere (a
  /// build).
  enum class EngineRetry { OnlyEngineOutput, Anywhere };
  /// Runs of an engine process in all while it fails with a TransientEngineFailure.
  static constexpr int kEngineAttempts = 3;
  /// Whether engine process run number `attempt` is started again: it failed (not timed out, not
  /// canceled) with a transient engine failure where `retry` allows, and runs are left.
  static bool restartsAfter(const ProcessResult& result, const TransientEngineFailure& failure,
                            EngineRetry retry, int attempt);
  /// runProcess for `buildah run` and builds: started again, up to 3 times in all, while it fails
  /// with a transient engine failure where `retry` allows; each start is logged.
  ProcessResult runEngineProcess(const ProcessSpec& spec, const config::Step& step, const Deadline& deadline,
                                 std::stop_token stop, const OutputHandler& output, EngineRetry retry);
  Outcome classify(const ProcessResult& result, const config::Step& step, const Deadline& deadline,
                   const std::string& what) const;
  std::optional<Outcome> pause(std::chrono::milliseconds duration, const config::Step& step,
                               const Deadline& deadline, std::stop_token stop) const;
  Outcome timeoutOutcome(const config::Step& step, const Deadline& deadline) const;
  /// Puts env entries holding a secret into container `name`'s config (not on buildah's argv);
  /// returns the plan with only the other entries left for `--env`.
  ContainerPlan hideSecretEnv(const ContainerPlan& plan, const std::string& name,
                              const std::string& inspectOutput, const Deadline& deadline,
                              std::stop_token stop);
  /// buildah's graph root and storage driver (asked once per run).
  std::pair<std::filesystem::path, std::string> storageLocation(const Deadline& deadline,
                                                                std::stop_token stop);
  /// The run's base-image digest lookup in registries (made on first use, after the auth file exists).
  RegistryDigestLookup& digestLookup();
  /// `buildah rm` now; true when it worked (the container is then forgotten).
  bool removeContainer(const std::string& name, const std::string& stepId);
  // Removes the container an earlier attempt left under `name`, if any; false when that fails.
  bool removeEarlierAttempt(const std::string& name, const std::string& stepId);
  std::string mask(std::string text) const;

  const RunRequest& request_;
  const Workspace& workspace_;
  ProcessLauncher& launcher_;
  LogSink& log_;
  std::chrono::steady_clock::time_point runDeadline_;
  BuildahEngine engine_;                // plans every step; runs them unless docker_ is set
  std::optional<DockerEngine> docker_;  // engine kind docker: the docker CLI (or podman) runs them
  SecretMasker masker_;                 // filled once, then only read

  mutable std::mutex mutex_;  // guards the members below
  std::set<std::string> containers_;
  std::vector<std::jthread> detached_;
  std::vector<OutputImage> outputImages_;
  std::vector<ImageDependency> dependencies_;
  std::optional<std::pair<std::filesystem::path, std::string>> storage_;
  std::unique_ptr<RegistryDigestLookup> digestLookup_;
  BuiltImages builtImages_;  // what the run's builds made, by name
};

}  // namespace hangar::runner
