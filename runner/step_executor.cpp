#include "runner/step_executor.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "registry/docker_config.hpp"
#include "registry/image_reference.hpp"
#include "runner/build_dependencies.hpp"
#include "runner/built_images.hpp"
#include "runner/container_secret_env.hpp"
#include "runner/run_summary.hpp"
#include "runner/secret_volumes.hpp"

namespace hangar::runner {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kPushAttempts = 3;
constexpr milliseconds kPushBackoffBase{250};
constexpr milliseconds kPushBackoffCap{5000};
constexpr milliseconds kRemoveTimeout{60000};

BuildahRunContext engineContext(const RunRequest& request, const Workspace& workspace) {
  BuildahRunContext context;
  context.runId = request.runId;
  context.workspace = workspace.workspace();
  context.authFile = workspace.authFile();
  context.registriesConf = workspace.registriesConf();
  for (const auto& step : request.task.steps) context.hostAliases.push_back(step.id);
  context.insecureRegistries = request.insecureRegistries;
  context.secretValues = request.secretValues;
  context.registry = request.registry;
  context.taskName = request.taskName;
  for (const auto& volume : request.task.volumes) {
    context.secretVolumes[volume.name] = workspace.secretVolumes() / volume.name;
  }
  return context;
}

std::string trim(std::string text) {
  const auto isSpace = [](unsigned char c) { return std::isspace(c) != 0; };
  text.erase(text.begin(), std::find_if_not(text.begin(), text.end(), isSpace));
  text.erase(std::find_if_not(text.rbegin(), text.rend(), isSpace).base(), text.end());
  return text;
}

// Why a process failed, for an error message.
std::string reasonOf(const ProcessResult& result) {
  if (!result.error.empty()) return result.error;
  if (result.timedOut) return "timed out";
  if (result.canceled) return "canceled";
  return "exit status " + std::to_string(result.exitCode);
}

StepStatus statusOf(StepEnd end) {
  switch (end) {
    case StepEnd::Succeeded:
    case StepEnd::Ignored:
      return StepStatus::Successful;
    case StepEnd::Canceled:
      return StepStatus::Canceled;
    default:
      return StepStatus::Failed;
  }
}

// The docker engine's context: DOCKER_CONFIG is <run>/docker, whose config.json is the run's auth file
// (the same {"auths": …} format), so credentials reach the docker CLI only through that file.
DockerRunContext dockerContext(const RunRequest& request, const Workspace& workspace) {
  const BuildahRunContext buildah = engineContext(request, workspace);
  DockerRunContext context;
  context.runId = request.runId;
  context.workspace = buildah.workspace;
  context.configDir = workspace.authFile().parent_path() / "docker";
  context.registriesConf = buildah.registriesConf;
  context.hostAliases = buildah.hostAliases;
  fs::create_directories(context.configDir);
  fs::permissions(context.configDir, fs::perms::owner_all);
  const fs::path config = context.configDir / "config.json";
  std::error_code ignored;
  fs::remove(config, ignored);
  fs::create_symlink(workspace.authFile(), config);
  return context;
}

}  // namespace

StepExecutor::StepExecutor(const RunRequest& request, const Workspace& workspace, ProcessLauncher& launcher,
                           LogSink& log, Clock::time_point runDeadline)
    : request_(request),
      workspace_(workspace),
      launcher_(launcher),
      log_(log),
      runDeadline_(runDeadline),
      engine_(request.engine, engineContext(request, workspace)) {
  if (request.engine.kind == "docker") docker_.emplace(request.engine, dockerContext(request, workspace));
  for (const auto& secret : request.secretValues) masker_.add(secret);
  for (const auto& secret : secretVolumeValues(request.task)) masker_.add(secret);
}

StepExecutor::~StepExecutor() { cleanup(); }

std::string StepExecutor::mask(std::string text) const { return masker_.mask(text); }

StepResult StepExecutor::run(const config::Step& step, std::stop_token stop) {
  StepResult result;
  result.record.id = step.id;
  std::string directory;
  if (step.kind != config::StepKind::Push && !step.disableWorkingDirectoryOverride) {
    directory = containerWorkingDirectory(step.workingDirectory, request_.task.workingDirectory);
  }
  log_.info("Executing step ID: " + step.id + ". Timeout(sec): " + std::to_string(step.timeout) +
            ", Working directory: '" + directory + "', Network: 'host'");

  Outcome outcome;
  const Deadline runOnly{runDeadline_, true, step.timeout};
  if (step.startDelay > 0) {
    log_.info("Waiting " + std::to_string(step.startDelay) + " seconds before executing step ID: " + step.id);
    if (auto cut = pause(std::chrono::seconds(step.startDelay), step, runOnly, stop)) outcome = *cut;
  }
  const auto started = Clock::now();
  result.record.startTime = std::chrono::system_clock::now();
  result.record.status = StepStatus::InProgress;
  if (outcome.end == StepEnd::Succeeded) {
    Deadline deadline{started + std::chrono::seconds(step.timeout), false, step.timeout};
    if (runDeadline_ < deadline.at) deadline = runOnly;
    try {
      switch (step.kind) {
        case config::StepKind::Build:
          outcome = runBuild(step, deadline, stop);
          break;
        case config::StepKind::Push:
          outcome = runPush(step, deadline, stop);
          break;
        case config::StepKind::Cmd:
          outcome = runCmd(step, deadline, stop);
          break;
      }
    } catch (const std::exception& e) {
      // Not a step failure but Hangar's own (e.g. a log sink that throws): still recorded, never lost.
      outcome = {StepEnd::Failed, "failed to run step ID: " + step.id + ": " + e.what(), std::nullopt};
    }
  }

  if (outcome.end == StepEnd::Failed || outcome.end == StepEnd::TimedOut) {
    if (step.ignoreErrors) outcome.end = StepEnd::Ignored;
  }
  result.end = outcome.end;
  result.record.status = statusOf(outcome.end);
  result.record.exitCode = outcome.exitCode;
  result.record.error = mask(outcome.error);
  result.record.finishTime = std::chrono::system_clock::now();
  if (!outcome.detached) log_.stepFinished(step.id);
  if (outcome.end == StepEnd::Ignored) {
    log_.info("Step ID: " + step.id + " failed; ignored because ignoreErrors is set: " + result.record.error);
  } else if (result.record.status == StepStatus::Failed) {
    log_.info("Step ID: " + step.id + " failed: " + result.record.error);
  }
  log_.info(stepEndLine(step.id, result.record.status, Clock::now() - started));
  return result;
}

StepExecutor::Outcome StepExecutor::runWithRetries(const config::Step& step, const Deadline& deadline,
                                                   std::stop_token stop,
                                                   const std::function<Outcome(OutputMatcher&)>& attempt) {
  OutputMatcher matcher(step.retryOnErrors);
  std::vector<std::string> errors;
  std::optional<int> failedExitCode;
  Outcome last;
  for (int repetition = 0; repetition <= step.repeat; ++repetition) {
    for (int tryNumber = 0; tryNumber <= step.retries; ++tryNumber) {
      matcher.reset();
      last = attempt(matcher);
      if (last.end != StepEnd::Failed) break;
      const bool retryable = step.retryOnErrors.empty() || matcher.matched();
      if (tryNumber == step.retries || !retryable) break;
      log_.info("Step ID: " + step.id + " failed during run, waiting " + std::to_string(step.retryDelay) +
                " seconds before retrying (attempt " + std::to_string(tryNumber + 2) + " of " +
                std::to_string(step.retries + 1) + ")...");
      if (auto cut = pause(std::chrono::seconds(step.retryDelay), step, deadline, stop)) return *cut;
    }
    if (last.end == StepEnd::TimedOut || last.end == StepEnd::RunTimedOut || last.end == StepEnd::Canceled) {
      return last;
    }
    if (last.end == StepEnd::Failed) {
      errors.push_back(last.error);
      failedExitCode = last.exitCode;
    }
  }
  if (errors.empty()) return last;
  Outcome failed = last;
  failed.end = StepEnd::Failed;
  failed.error = errors.front();
  for (size_t i = 1; i < errors.size(); ++i) failed.error += "; " + errors[i];
  failed.exitCode = failedExitCode;
  return failed;
}

StepExecutor::Outcome StepExecutor::runBuild(const config::Step& step, const Deadline& deadline,
                                             std::stop_token stop) {
  BuildPlan plan;
  try {
    plan = engine_.planBuild(step, request_.task.workingDirectory);
  } catch (const std::invalid_argument& e) {
    return {StepEnd::Failed, "failed to run step ID: " + step.id + ": " + e.what(), std::nullopt};
  }
  for (const auto& warning : plan.warnings) log_.info("Warning: step " + step.id + ": " + warning);
  if (!fs::is_directory(plan.workingDirectory)) {
    return {StepEnd::Failed,
            "failed to run step ID: " + step.id + ": working directory " + plan.workingDirectory.string() +
                " does not exist in the workspace",
            std::nullopt};
  }
  const ProcessSpec spec = docker_ ? docker_->build(plan) : engine_.build(plan);
  LastLine last;  // buildah's last line is the image ID
  Outcome outcome = runWithRetries(step, deadline, stop, [&](OutputMatcher& matcher) {
    last = LastLine();
    const auto result = runEngineProcess(
        spec, step, deadline, stop,
        [&](std::string_view chunk) {
          log_.output(step.id, chunk);
          matcher.feed(chunk);
          last.feed(chunk);
        },
        EngineRetry::Anywhere);  // a build can run again from the start
    return classify(result, step, deadline, "failed to run step ID: " + step.id);
  });
  if (outcome.end != StepEnd::Succeeded) return outcome;
  if (const auto id = BuiltImages::idFromBuildOutput(last.line()); id && !docker_)
    builtImages_.record(plan.command.tags(), *id);
  recordDependencies(step, plan, deadline, stop);
  return outcome;
}

void StepExecutor::recordDependencies(const config::Step& step, const BuildPlan& plan,
                                      const Deadline& deadline, std::stop_token stop) {
  std::vector<ImageDependency> found;
  try {
    const auto dockerfile = buildDockerfilePath(plan.command, plan.workingDirectory);
    if (!dockerfile) return;
    std::ifstream in(*dockerfile, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + dockerfile->string());
    std::stringstream text;
    text << in.rdbuf();
    const auto bases =
        scanDockerfile(text.str(), buildArgValues(plan.command, step.env), plan.command.target());
    found = imageDependencies(plan.command.tags(), bases, [&](const std::string& image) {
      std::string why;  // the registry's digest first (§4.5), local storage's when it cannot answer
      if (std::string digest = digestLookup().digest(image, why); !digest.empty()) return digest;
      log_.info("Note: step " + step.id + ": base image " + image + ": digest from local storage (" +
                mask(why) + ")");
      std::string output;
      const auto spec = docker_ ? docker_->imageDigests(image) : engine_.imageDigest(image);
      const auto result =
          runProcess(spec, deadline, stop, [&](std::string_view chunk) { output.append(chunk); });
      if (!result.ok()) return std::string();
      if (docker_) {
        const auto reference = registry::ImageReference::parse(image);
        return repoDigestOf(output, reference.registry + "/" + reference.repository);
      }
      const std::string first = trim(output.substr(0, output.find('\n')));
      return first.starts_with("sha256:") ? first : std::string();
    });
  } catch (const std::exception& e) {
    log_.info("Warning: step " + step.id + ": cannot list the build's dependencies: " + mask(e.what()));
    return;
  }
  if (found.empty()) return;
  log_.info("The following dependencies were found:");
  log_.info(dependenciesLogJson(found).dump(2));
  std::lock_guard lock(mutex_);
  dependencies_.insert(dependencies_.end(), found.begin(), found.end());
}

RegistryDigestLookup& StepExecutor::digestLookup() {
  std::lock_guard lock(mutex_);
  if (!digestLookup_) {
    // Read at each token request: a renewal (LoginRenewal) replaces the file during the run.
    auto credentials = std::make_shared<registry::AuthFileCredentialProvider>(workspace_.authFile());
    std::set<std::string> insecure(request_.insecureRegistries.begin(), request_.insecureRegistries.end());
    digestLookup_ =
        std::make_unique<RegistryDigestLookup>(request_.mirrors, request_.registry, insecure, credentials);
  }
  return *digestLookup_;
}

StepExecutor::Outcome StepExecutor::runPush(const config::Step& step, const Deadline& deadline,
                                            std::stop_token stop) {
  Outcome last;
  for (size_t index = 0; index < step.push.size(); ++index) {
    const std::string& image = step.push[index];
    registry::ImageReference reference;
    ProcessSpec spec;
    const fs::path digestFile = workspace_.digestFile(step.id, index);
    try {
      reference = registry::ImageReference::parse(image).withDefaultTag();
      spec = docker_ ? docker_->push(image, digestFile) : engine_.push(image, digestFile);
    } catch (const std::invalid_argument& e) {
      return {StepEnd::Failed, "failed to push image " + image + ": " + e.what(), std::nullopt};
    }
    ProcessResult result;
    std::string pushOutput;  // docker prints the digest; buildah and podman write the digest file
    for (int attempt = 0; attempt < kPushAttempts; ++attempt) {
      log_.info("Pushing image: " + image + ", attempt " + std::to_string(attempt + 1));
      fs::remove(digestFile);
      pushOutput.clear();
      result = runProcess(spec, deadline, stop, [&](std::string_view chunk) {
        log_.output(step.id, chunk);
        pushOutput.append(chunk);
      });
      last = classify(result, step, deadline, "failed to push image " + image);
      if (last.end != StepEnd::Failed || attempt + 1 == kPushAttempts) break;
      retagIfUntagged(step, image, pushOutput, deadline, stop);
      const auto backoff = std::min(kPushBackoffBase * (1 << attempt), kPushBackoffCap);
      if (auto cut = pause(backoff, step, deadline, stop)) return *cut;
    }
    if (last.end == StepEnd::Failed) {
      last.error = "failed to push image " + image + " after " + std::to_string(kPushAttempts) +
                   " attempts: " + reasonOf(result);
    }
    if (last.end != StepEnd::Succeeded) return last;

    std::ifstream in(digestFile);
    std::stringstream digest;
    digest << in.rdbuf();
    std::string value = trim(digest.str());
    if (value.empty() && docker_) value = pushedDigest(pushOutput);
    if (value.empty()) {
      return {StepEnd::Failed,
              "failed to push image " + image + ": " + (docker_ ? "docker printed" : "buildah wrote") +
                  " no digest (" + digestFile.string() + ")",
              std::nullopt};
    }
    log_.info("Pushed image: " + image + ", digest: " + value);
    std::lock_guard lock(mutex_);
    outputImages_.push_back({reference.registry, reference.repository, reference.tag, value});
  }
  return last;
}

void StepExecutor::retagIfUntagged(const config::Step& step, const std::string& image,
                                   const std::string& pushOutput, const Deadline& deadline,
                                   std::stop_token stop) {
  if (docker_ || pushOutput.find(": image not known") == std::string::npos) return;
  const auto id = builtImages_.idOf(image);
  if (!id) return;
  log_.info("Step ID: " + step.id + ": " + image +
            " lost its name to another buildah process; tagging image " + id->substr(0, 12) +
            " of this run's build with it again");
  runProcess(engine_.tagImage(*id, image), deadline, stop,
             [&](std::string_view chunk) { log_.output(step.id, chunk); });
}

StepExecutor::Outcome StepExecutor::runCmd(const config::Step& step, const Deadline& deadline,
                                           std::stop_token stop) {
  ContainerPlan plan;
  try {
    plan = engine_.planContainer(step, request_.task.workingDirectory);
  } catch (const std::invalid_argument& e) {
    return {StepEnd::Failed, "failed to run step ID: " + step.id + ": " + e.what(), std::nullopt};
  }
  for (const auto& warning : plan.warnings) log_.info("Warning: step " + step.id + ": " + warning);
  if (request_.inProcessCommand) {  // e.g. `acr purge`, run natively by the agent (no container)
    std::optional<int> code;
    Outcome outcome = runWithRetries(step, deadline, stop, [&](OutputMatcher&) -> Outcome {
      code = request_.inProcessCommand(plan.image, plan.args, step.id, log_, workspace_.authFile());
      if (!code || *code == 0) return {StepEnd::Succeeded, "", code};
      return {StepEnd::Failed, "failed to run step ID: " + step.id + ": exit status " + std::to_string(*code),
              code};
    });
    if (code) return outcome;
  }
  if ((step.pull || step.cmdDownloadRetries > 0) && plan.pull != "never") {
    // `pull` (and cmdDownloadRetries) pull before the container is made, retrying as asked.
    log_.info("Pulling image: " + plan.image + " (retries: " + std::to_string(step.cmdDownloadRetries) + ")");
    const auto pulled =
        runProcess(docker_ ? docker_->pull(plan.image)
                           : engine_.pull(plan.image, plan.pull == "always" ? "always" : "missing",
                                          step.cmdDownloadRetries, step.cmdDownloadRetryDelay),
                   deadline, stop, [&](std::string_view chunk) { log_.output(step.id, chunk); });
    Outcome outcome =
        classify(pulled, step, deadline, "failed to run step ID: " + step.id + ": cannot pull " + plan.image);
    if (outcome.end != StepEnd::Succeeded) return outcome;
    plan.pull = "missing";  // pulled just now
  }
  return runWithRetries(step, deadline, stop, [&](OutputMatcher& matcher) {
    return docker_ ? attemptDockerCmd(step, plan, deadline, stop, matcher)
                   : attemptCmd(step, plan, deadline, stop, matcher);
  });
}

ProcessResult StepExecutor::runEngineProcess(const ProcessSpec& spec, const config::Step& step,
                                             const Deadline& deadline, std::stop_token stop,
                                             const OutputHandler& output, EngineRetry retry) {
  TransientEngineFailure failure;
  for (int attempt = 1;; ++attempt) {
    failure.reset();
    auto result = runProcess(spec, deadline, stop, [&](std::string_view chunk) {
      output(chunk);
      failure.feed(chunk);
    });
    if (!restartsAfter(result, failure, retry, attempt)) return result;
    log_.info("Step ID: " + step.id + ": " +
              fs::path(spec.argv.empty() ? std::string() : spec.argv.front()).filename().string() +
              " failed with a transient engine failure (above), not the step's; starting it again (attempt " +
              std::to_string(attempt + 1) + " of " + std::to_string(kEngineAttempts) + ")");
  }
}

bool StepExecutor::restartsAfter(const ProcessResult& result, const TransientEngineFailure& failure,
                                 EngineRetry retry, int attempt) {
  const bool engineFailed = retry == EngineRetry::Anywhere ? failure.seen() : failure.onlyEngineOutput();
  return !result.ok() && !result.timedOut && !result.canceled && engineFailed && attempt < kEngineAttempts;
}

ProcessResult StepExecutor::runProcess(const ProcessSpec& spec, const Deadline& deadline,
                                       std::stop_token stop, const OutputHandler& output) {
  ProcessResult result;
  if (stop.stop_requested()) {
    result.canceled = true;
    return result;
  }
  const auto left = std::chrono::duration_cast<milliseconds>(deadline.at - Clock::now());
  if (left <= milliseconds::zero()) {
    result.timedOut = true;
    return result;
  }
  std::unique_ptr<RunningProcess> process;
  try {
    process = launcher_.start(spec, output);
  } catch (const std::exception& e) {
    result.error = e.what();
    return result;
  }
  if (!process) {
    result.error = "the process launcher started nothing";
    return result;
  }
  return process->wait(left, stop);
}

StepExecutor::Outcome StepExecutor::timeoutOutcome(const config::Step& step, const Deadline& deadline) const {
  if (deadline.runs) {
    return {StepEnd::RunTimedOut,
            "step " + step.id + " stopped: the run exceeded its timeout of " +
                std::to_string(request_.timeoutSeconds) + " s",
            std::nullopt};
  }
  return {
      StepEnd::TimedOut,
      "step " + step.id + " exceeded its timeout of " + std::to_string(deadline.stepTimeoutSeconds) + " s",
      std::nullopt};
}

StepExecutor::Outcome StepExecutor::classify(const ProcessResult& result, const config::Step& step,
                                             const Deadline& deadline, const std::string& what) const {
  if (result.canceled) return {StepEnd::Canceled, "step " + step.id + " was canceled", std::nullopt};
  if (result.timedOut) return timeoutOutcome(step, deadline);
  if (!result.error.empty()) return {StepEnd::Failed, what + ": " + result.error, std::nullopt};
  if (result.exitCode != 0) return {StepEnd::Failed, what + ": " + reasonOf(result), result.exitCode};
  return {StepEnd::Succeeded, "", 0};
}

std::optional<StepExecutor::Outcome> StepExecutor::pause(milliseconds duration, const config::Step& step,
                                                         const Deadline& deadline,
                                                         std::stop_token stop) const {
  const auto wanted = Clock::now() + duration;
  const auto until = std::min(wanted, deadline.at);
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  wake.wait_until(lock, stop, until, [] { return false; });
  if (stop.stop_requested())
    return Outcome{StepEnd::Canceled, "step " + step.id + " was canceled", std::nullopt};
  if (deadline.at <= wanted) return timeoutOutcome(step, deadline);
  return std::nullopt;
}

ContainerPlan StepExecutor::hideSecretEnv(const ContainerPlan& plan, const std::string& name,
                                          const std::string& inspectOutput, const Deadline& deadline,
                                          std::stop_token stop) {
  SplitEnv split =
      splitSecretEnv(plan.env, [&](std::string_view value) { return mask(std::string(value)) != value; });
  ContainerPlan visible = plan;
  visible.env = std::move(split.onArgv);
  if (split.hidden.empty()) return visible;
  std::string containerId;
  try {
    containerId = nlohmann::json::parse(inspectOutput).at("ContainerID").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("cannot find the ID of container " + name + ": " + e.what());
  }
  const auto [graphRoot, driver] = storageLocation(deadline, stop);
  setBuildahContainerEnv(buildahContainerConfig(graphRoot, driver, containerId), split.hidden);
  return visible;
}

std::pair<fs::path, std::string> StepExecutor::storageLocation(const Deadline& deadline,
                                                               std::stop_token stop) {
  {
    std::lock_guard lock(mutex_);
    if (storage_) return *storage_;
  }
  std::string output;
  const auto result = runProcess(engine_.storageInfo(), deadline, stop,
                                 [&](std::string_view chunk) { output.append(chunk); });
  const auto newline = output.find('\n');
  if (!result.ok() || newline == std::string::npos) {
    throw std::runtime_error("cannot find buildah's storage (" + reasonOf(result) + "): " + trim(output));
  }
  std::pair<fs::path, std::string> location{trim(output.substr(0, newline)),
                                            trim(output.substr(newline + 1))};
  if (location.first.empty() || location.second.empty()) {
    throw std::runtime_error("cannot find buildah's storage: `buildah info` printed '" + trim(output) + "'");
  }
  std::lock_guard lock(mutex_);
  storage_ = location;
  return location;
}

bool StepExecutor::removeContainer(const std::string& name, const std::string& stepId) {
  std::string output;
  ProcessResult result;
  try {
    result = launcher_.run(
        docker_ ? docker_->removeContainer(name) : engine_.removeContainer(name),
        [&](std::string_view chunk) { output.append(chunk); }, kRemoveTimeout);
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  if (!result.ok()) {
    log_.info("Warning: " + (stepId.empty() ? std::string() : "step " + stepId + ": ") +
              "cannot remove container " + name + " (" + reasonOf(result) + "): " + mask(trim(output)));
    return false;
  }
  std::lock_guard lock(mutex_);
  containers_.erase(name);
  return true;
}

void StepExecutor::cleanup() {
  std::vector<std::jthread> detached;
  std::set<std::string> containers;
  {
    std::lock_guard lock(mutex_);
    detached.swap(detached_);
  }
  for (auto& thread : detached) thread.request_stop();
  detached.clear();  // joins: each wait() kills its process group and returns
  {
    std::lock_guard lock(mutex_);
    containers = containers_;
  }
  for (const auto& name : containers) removeContainer(name, "");
  if (docker_) {  // DOCKER_CONFIG (a link to the auth file) and any env file left by a killed step
    std::error_code error;
    fs::remove_all(workspace_.authFile().parent_path() / "docker", error);
    if (error) log_.info("Warning: cannot remove the run's docker configuration: " + error.message());
  }
}

std::vector<ImageDependency> StepExecutor::dependencies() const {
  std::lock_guard lock(mutex_);
  return dependencies_;
}

std::vector<OutputImage> StepExecutor::outputImages() const {
  std::lock_guard lock(mutex_);
  return outputImages_;
}

}  // namespace hangar::runner
