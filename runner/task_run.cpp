#include "runner/task_run.hpp"

#include <optional>
#include <set>

#include "registry/docker_config.hpp"
#include "registry/image_reference.hpp"
#include "runner/build_command.hpp"
#include "runner/registries_conf.hpp"
#include "runner/run_command.hpp"
#include "runner/step_executor.hpp"
#include "runner/workspace.hpp"

namespace hangar::runner {
namespace {

// The registry host of an image name; nullopt when the name cannot be parsed (the step that uses it
// reports that when it runs).
std::optional<std::string> registryOf(std::string_view image) {
  try {
    return registry::ImageReference::parse(image).registry;
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

// Every registry host the run may pull from or push to: the run registry, push targets, build tags,
// cmd images. (Mirror locations are added by RegistriesConf itself.)
std::vector<std::string> touchedRegistries(const RunRequest& request) {
  std::set<std::string> hosts;
  if (!request.registry.empty()) hosts.insert(request.registry);
  auto add = [&](std::string_view image) {
    if (auto host = registryOf(image)) hosts.insert(*host);
  };
  for (const auto& step : request.task.steps) {
    try {
      switch (step.kind) {
        case config::StepKind::Push:
          for (const auto& image : step.push) add(image);
          break;
        case config::StepKind::Build:
          for (const auto& tag : BuildCommand::parse(step.build).tags()) add(tag);
          break;
        case config::StepKind::Cmd:
          add(RunCommand::parse(step.cmd).image);
          break;
      }
    } catch (const std::invalid_argument&) {
      // An unparsable step string fails that step when it runs, with this same message.
    }
  }
  return {hosts.begin(), hosts.end()};
}

// The credentials buildah gets in the run's auth file: every host of the docker config, plus the run
// registry and the registries the task touches when a credential store knows them.
std::map<std::string, registry::Credential> collectCredentials(const RunRequest& request,
                                                               const std::vector<std::string>& touched,
                                                               LogSink& log) {
  const auto config =
      registry::DockerConfig::load(request.dockerConfig.value_or(registry::DockerConfig::defaultPath()));
  std::map<std::string, registry::Credential> credentials;
  std::set<std::string> hosts(touched.begin(), touched.end());
  for (const auto& host : config.hosts()) hosts.insert(host);
  for (const auto& host : hosts) {
    try {
      if (auto credential = config.find(host)) credentials[host] = *credential;
    } catch (const std::exception& e) {
      if (host == request.registry) throw;
      log.info("Warning: no credentials for " + host + ": " + e.what());
    }
  }
  if (!request.registry.empty() && !credentials.contains(registry::normalizeRegistryHost(request.registry)) &&
      !credentials.contains(request.registry)) {
    log.info("No credentials for the run registry " + request.registry + ": it is used anonymously");
  }
  return credentials;
}

void prepare(const RunRequest& request, Workspace& workspace, LogSink& log) {
  for (const auto& note : workspace.copyContext(request.contextDir)) log.info("Warning: " + note);
  const auto touched = touchedRegistries(request);
  workspace.writeCredentials(collectCredentials(request, touched, log));
  RegistriesConf conf;
  conf.registries = touched;
  conf.mirrors = request.mirrors;
  conf.insecureRegistries = request.insecureRegistries;
  workspace.writeRegistriesConf(conf.render());
}

}  // namespace

RunRecord runTask(const RunRequest& request, ProcessLauncher& launcher, LogSink& log, std::stop_token stop) {
  RunRecord record;
  record.id = request.runId;
  record.startTime = std::chrono::system_clock::now();
  record.status = RunStatus::Running;
  for (const auto& step : request.task.steps) {
    StepRecord skipped;
    skipped.id = step.id;
    record.steps.push_back(std::move(skipped));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(request.timeoutSeconds);
  auto end = [&](RunStatus status, std::string error) {
    record.status = status;
    record.error = std::move(error);
  };

  std::optional<Workspace> workspace;
  try {
    if (request.engine.kind != "buildah") {
      throw std::invalid_argument("engine '" + request.engine.kind + "' is not supported yet; use buildah");
    }
    workspace.emplace(request.workRoot, request.runId);
    prepare(request, *workspace, log);
  } catch (const std::exception& e) {
    end(RunStatus::Error, std::string("cannot prepare the run: ") + e.what());
  }

  if (record.status == RunStatus::Running) {
    StepExecutor executor(request, *workspace, launcher, log, deadline);
    for (size_t i = 0; i < request.task.steps.size(); ++i) {
      if (stop.stop_requested()) {
        end(RunStatus::Canceled, "run canceled");
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        end(RunStatus::Timeout,
            "run exceeded its timeout of " + std::to_string(request.timeoutSeconds) + " s");
        break;
      }
      StepResult result = executor.run(request.task.steps[i], stop);
      record.steps[i] = std::move(result.record);
      switch (result.end) {
        case StepEnd::Succeeded:
        case StepEnd::Ignored:
          continue;
        case StepEnd::RunTimedOut:
          end(RunStatus::Timeout,
              "run exceeded its timeout of " + std::to_string(request.timeoutSeconds) + " s");
          break;
        case StepEnd::Canceled:
          end(RunStatus::Canceled, "run canceled");
          break;
        case StepEnd::Failed:
        case StepEnd::TimedOut:
          end(RunStatus::Failed, record.steps[i].error);
          break;
      }
      break;
    }
    executor.cleanup();
    record.outputImages = executor.outputImages();
    if (record.status == RunStatus::Running) record.status = RunStatus::Succeeded;
  }

  if (workspace) {
    try {
      workspace->remove();
    } catch (const std::exception& e) {
      log.info(std::string("Warning: cannot remove the run directory: ") + e.what());
    }
  }
  record.finishTime = std::chrono::system_clock::now();
  return record;
}

}  // namespace hangar::runner
