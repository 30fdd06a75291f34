// The attempts of a cmd step's container: with buildah (from, inspect, run) or with the docker CLI
// (one `docker run`), and detached steps that run on until the run ends.
#include <filesystem>
#include <memory>

#include "runner/container_secret_env.hpp"
#include "runner/step_executor.hpp"

namespace hangar::runner {

namespace fs = std::filesystem;

bool StepExecutor::removeEarlierAttempt(const std::string& name, const std::string& stepId) {
  bool leftOver;
  {
    std::lock_guard lock(mutex_);
    leftOver = containers_.contains(name);
  }
  return !leftOver || removeContainer(name, stepId);
}

StepExecutor::Outcome StepExecutor::attemptDockerCmd(const config::Step& step, const ContainerPlan& plan,
                                                     const Deadline& deadline, std::stop_token stop,
                                                     OutputMatcher& matcher) {
  const std::string name = engine_.containerName(step.id);  // with its random part, as for buildah
  const std::string failedTo = "failed to run step ID: " + step.id;
  if (!removeEarlierAttempt(name, step.id)) {
    return {StepEnd::Failed, failedTo + ": container " + name + " of an earlier attempt cannot be removed",
            std::nullopt};
  }
  // The env (secrets included) goes in a 0600 file beside the auth file, outside /workspace.
  const fs::path envFile = workspace_.authFile().parent_path() / "docker" / (name + ".env");
  ProcessSpec spec;
  try {
    writeEnvFile(envFile, plan.env);
    // No --rm: `docker rm -f` below (or at cleanup, for keep and detach) removes it, also after a kill.
    spec = docker_->runContainer(plan, step, name, envFile, /*remove=*/false);
    if (auto host = hostPathInWorkspace(plan.workingDirectory, workspace_.workspace()))
      fs::create_directories(*host);
  } catch (const std::exception& e) {
    return {StepEnd::Failed, failedTo + ": " + mask(e.what()), std::nullopt};
  }
  {
    std::lock_guard lock(mutex_);
    containers_.insert(name);  // `docker rm -f` at the end, whatever happens
  }
  log_.info("Launching container with name: " + name);
  // With --detach the client returns once the container started: that is the step's success.
  const auto ran = runProcess(spec, deadline, stop, [&](std::string_view chunk) {
    log_.output(step.id, chunk);
    matcher.feed(chunk);
  });
  std::error_code ignored;
  fs::remove(envFile, ignored);
  Outcome outcome = classify(ran, step, deadline, failedTo);
  if (plan.detach && outcome.end == StepEnd::Succeeded) {
    // The container runs on without the client: `docker logs --follow` streams its output into the
    // step's log until the container stops or the run ends (then it is killed and the container removed).
    return startDetached(step, docker_->followLogs(name), DetachedProcess::LogFollower);
  }
  if (!step.keep && !plan.detach) removeContainer(name, step.id);
  return outcome;
}

StepExecutor::Outcome StepExecutor::attemptCmd(const config::Step& step, const ContainerPlan& plan,
                                               const Deadline& deadline, std::stop_token stop,
                                               OutputMatcher& matcher) {
  const std::string name = engine_.containerName(step.id);
  const std::string failedTo = "failed to run step ID: " + step.id;
  if (!removeEarlierAttempt(name, step.id)) {
    return {StepEnd::Failed, failedTo + ": container " + name + " of an earlier attempt cannot be removed",
            std::nullopt};
  }
  const OutputHandler toLog = [&](std::string_view chunk) {
    log_.output(step.id, chunk);
    matcher.feed(chunk);
  };

  // `buildah from` ends by printing the container's name: not the step's output, so left out.
  std::string partial;
  const auto created =
      runProcess(engine_.createContainer(plan, name), deadline, stop, [&](std::string_view chunk) {
        partial.append(chunk);
        for (auto end = partial.find('\n'); end != std::string::npos; end = partial.find('\n')) {
          if (std::string_view(partial).substr(0, end) != name)
            toLog(std::string_view(partial).substr(0, end + 1));
          partial.erase(0, end + 1);
        }
      });
  if (!partial.empty() && partial != name) toLog(partial);
  if (created.ok() || created.timedOut || created.canceled) {
    std::lock_guard lock(mutex_);
    containers_.insert(name);  // a killed `buildah from` may have made it already
  }
  if (!created.ok())
    return classify(created, step, deadline, failedTo + ": cannot create a container from " + plan.image);

  std::string inspectOutput;
  const auto inspected = runProcess(engine_.inspectContainer(name), deadline, stop,
                                    [&](std::string_view chunk) { inspectOutput.append(chunk); });
  if (!inspected.ok()) {
    log_.output(step.id, inspectOutput);
    return classify(inspected, step, deadline, failedTo + ": cannot inspect container " + name);
  }
  ProcessSpec spec;
  ImageConfig image;
  try {
    image = ImageConfig::parseInspectOutput(inspectOutput);
    spec = engine_.runContainer(hideSecretEnv(plan, name, inspectOutput, deadline, stop), name, image);
    // docker creates a missing working directory; buildah does not, so make it when it is ours.
    if (auto host = hostPathInWorkspace(plan.effectiveWorkingDirectory(image), workspace_.workspace())) {
      fs::create_directories(*host);
    }
  } catch (const std::exception& e) {
    return {StepEnd::Failed, failedTo + ": " + e.what(), std::nullopt};
  }

  log_.info("Launching container with name: " + name);
  if (plan.detach) return startDetached(step, spec, DetachedProcess::EngineContainer);
  const auto ran = runEngineProcess(spec, step, deadline, stop, toLog, EngineRetry::OnlyEngineOutput);
  Outcome outcome = classify(ran, step, deadline, failedTo);
  if (!step.keep) removeContainer(name, step.id);
  return outcome;
}

StepExecutor::Outcome StepExecutor::startDetached(const config::Step& step, const ProcessSpec& spec,
                                                  DetachedProcess kind) {
  // Fed from the output thread, read after the process ended (its output is all delivered by then).
  auto failure = std::make_shared<TransientEngineFailure>();
  OutputHandler output = [this, id = step.id, failure](std::string_view chunk) {
    log_.output(id, chunk);
    failure->feed(chunk);
  };
  std::unique_ptr<RunningProcess> process;
  std::string error;
  try {
    process = launcher_.start(spec, output);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!process) {
    return {StepEnd::Failed, "failed to run step ID: " + step.id + ": cannot start the container: " + error,
            std::nullopt};
  }
  log_.info("Step ID: " + step.id + " runs detached; it is stopped when the run ends");
  std::lock_guard lock(mutex_);
  detached_.emplace_back([this, id = step.id, spec, kind, failure, output = std::move(output),
                          process = std::move(process)](std::stop_token stop) mutable {
    try {
      for (int attempt = 1;; ++attempt) {
        const auto result = process->wait(std::nullopt, stop);
        const bool restart = kind == DetachedProcess::EngineContainer && !stop.stop_requested() &&
                             restartsAfter(result, *failure, EngineRetry::OnlyEngineOutput, attempt);
        if (!restart) {
          log_.stepFinished(id);
          if (kind == DetachedProcess::EngineContainer && !result.canceled) {
            log_.info("Detached step ID: " + id + " exited with status " + std::to_string(result.exitCode));
          }
          return;
        }
        log_.info("Detached step ID: " + id +
                  ": the container failed to start with a transient engine failure (above), not the "
                  "step's; starting it again (attempt " +
                  std::to_string(attempt + 1) + " of " + std::to_string(kEngineAttempts) + ")");
        failure->reset();
        process = launcher_.start(spec, output);
      }
    } catch (const std::exception& e) {
      log_.stepFinished(id);
      log_.info("Detached step ID: " + id + ": " + e.what());
    }
  });
  return {StepEnd::Succeeded, "", 0, true};
}

}  // namespace hangar::runner
