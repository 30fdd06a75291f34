#include "runner/task_run.hpp"

#include <algorithm>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "registry/docker_config.hpp"
#include "registry/image_reference.hpp"
#include "runner/build_command.hpp"
#include "runner/image_order.hpp"
#include "runner/login_renewal.hpp"
#include "runner/masking_log.hpp"
#include "runner/registries_conf.hpp"
#include "runner/run_command.hpp"
#include "runner/secret_masker.hpp"
#include "runner/secret_volumes.hpp"
#include "runner/step_executor.hpp"
#include "runner/step_graph.hpp"
#include "runner/timeout_budget.hpp"
#include "runner/workspace.hpp"

namespace hangar::runner {
namespace {

constexpr size_t kMinParallelSteps = 4;

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
  for (const auto& [host, credential] : request.logins) credentials[host] = credential;  // agent.yaml wins
  if (!request.registry.empty() && !credentials.contains(registry::normalizeRegistryHost(request.registry)) &&
      !credentials.contains(request.registry)) {
    log.info("No credentials for the run registry " + request.registry + ": it is used anonymously");
  }
  return credentials;
}

std::string runTimeoutError(const RunRequest& request) {
  return "run exceeded its timeout of " + std::to_string(request.timeoutSeconds) + " s";
}

// How many steps may run at once: steps mostly wait on their processes, so a few more than cores.
size_t parallelSteps() { return std::max<size_t>(kMinParallelSteps, std::thread::hardware_concurrency()); }

StepOutcome graphOutcome(StepEnd end) {
  switch (end) {
    case StepEnd::Succeeded:
      return StepOutcome::Succeeded;
    case StepEnd::Ignored:
      return StepOutcome::Ignored;
    case StepEnd::Canceled:
      return StepOutcome::Canceled;
    default:
      return StepOutcome::Failed;
  }
}

// Returns the credentials written to the auth file.
std::map<std::string, registry::Credential> prepare(const RunRequest& request, Workspace& workspace,
                                                    LogSink& log) {
  for (const auto& note : workspace.copyContext(request.contextDir)) log.info("Warning: " + note);
  const auto touched = touchedRegistries(request);
  auto credentials = collectCredentials(request, touched, log);
  workspace.writeCredentials(credentials);
  RegistriesConf conf;
  conf.registries = touched;
  conf.mirrors = request.mirrors;
  conf.insecureRegistries = request.insecureRegistries;
  workspace.writeRegistriesConf(conf.render());
  writeSecretVolumes(workspace.secretVolumes(), decodeSecretVolumes(request.task.volumes));
  return credentials;
}

// The record leaves the run (run store, --output json): no secret value may be in it, whatever
// error text a step or the preparation produced.
void maskRecord(RunRecord& record, const RunRequest& request, const std::vector<std::string>& renewed) {
  SecretMasker masker;
  for (const auto& secret : request.secretValues) masker.add(secret);
  for (const auto& secret : renewed) masker.add(secret);
  for (const auto& secret : secretVolumeValues(request.task)) masker.add(secret);
  if (masker.empty()) return;
  record.error = masker.mask(record.error);
  for (auto& step : record.steps) step.error = masker.mask(step.error);
}

// The request the steps see: with renewals, an in-process command renews the logins first when due
// (a retried or long step may call it long after the step started).
std::optional<RunRequest> renewingRequest(const RunRequest& request, std::optional<LoginRenewal>& renewal) {
  if (!renewal || !request.inProcessCommand) return std::nullopt;
  RunRequest renewing = request;
  renewing.inProcessCommand =
      [&request, &renewal](const std::string& image, const std::vector<std::string>& args,
                           const std::string& stepId, LogSink& log, const std::filesystem::path& authFile) {
        renewal->renewIfDue();
        return request.inProcessCommand(image, args, stepId, log, authFile);
      };
  return renewing;
}

}  // namespace

RunRecord runTask(const RunRequest& request, ProcessLauncher& launcher, LogSink& sink, std::stop_token stop) {
  // With renewals, the run masks in its log what they bring (and request.secretValues) itself; the
  // masking log emits what it still holds when it goes, after the last step.
  std::optional<MaskingLog> renewalLog;
  if (request.renewLogins && request.loginsExpiry) renewalLog.emplace(sink, request.secretValues);
  LogSink& log = renewalLog ? static_cast<LogSink&>(*renewalLog) : sink;
  std::optional<LoginRenewal> renewal;
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
    if (request.engine.kind != "buildah" && request.engine.kind != "docker") {
      throw std::invalid_argument("engine '" + request.engine.kind + "' is unknown; use buildah or docker");
    }
    workspace.emplace(request.workRoot, request.runId);
    auto credentials = prepare(request, *workspace, log);
    if (renewalLog) renewal.emplace(request, workspace->authFile(), std::move(credentials), *renewalLog);
  } catch (const std::exception& e) {
    end(RunStatus::Error, std::string("cannot prepare the run: ") + e.what());
  }

  std::optional<StepGraph> graph;
  if (record.status == RunStatus::Running) {
    try {
      graph = StepGraph::build(request.task.steps);
    } catch (const std::invalid_argument& e) {
      end(RunStatus::Error, std::string("invalid step graph: ") + e.what());
    }
  }

  if (graph) {
    if (auto warning = timeoutBudgetWarning(*graph, request.task.steps, request.timeoutSeconds)) {
      log.info("Warning: " + *warning);
    }
    const config::Diagnostics imageOrder = unorderedImageWarnings(*graph, request.task.steps);
    for (const config::Diagnostic& warning : imageOrder.all()) {
      log.info(warning.str());
    }
  }

  if (record.status == RunStatus::Running) {
    const std::optional<RunRequest> renewing = renewingRequest(request, renewal);
    StepExecutor executor(renewing ? *renewing : request, *workspace, launcher, log, deadline);
    std::mutex mutex;  // guards record.steps and `first` while steps run in parallel
    std::optional<std::pair<StepEnd, size_t>> first;  // the end that stopped the run, and its step
    // Also while a step runs (stopped at the end of this block, before the run directory goes).
    std::jthread watcher = renewal ? renewal->watch(request.loginRenewalCheck) : std::jthread();
    runStepGraph(
        *graph, parallelSteps(),
        [&](size_t index, std::stop_token stepStop) {
          if (renewal) renewal->renewIfDue();
          StepResult result = executor.run(request.task.steps[index], stepStop);
          std::lock_guard lock(mutex);
          record.steps[index] = std::move(result.record);
          if (!result.proceed() && !first) first.emplace(result.end, index);
          return graphOutcome(result.end);
        },
        stop);
    if (first) {
      switch (first->first) {
        case StepEnd::RunTimedOut:
          end(RunStatus::Timeout, runTimeoutError(request));
          break;
        case StepEnd::Canceled:
          end(RunStatus::Canceled, "run canceled");
          break;
        default:
          end(RunStatus::Failed, record.steps[first->second].error);
          break;
      }
    } else if (stop.stop_requested()) {
      end(RunStatus::Canceled, "run canceled");
    }
    executor.cleanup();
    record.outputImages = executor.outputImages();
    record.dependencies = executor.dependencies();
    if (record.status == RunStatus::Running) record.status = RunStatus::Succeeded;
  }

  if (workspace) {
    try {
      workspace->remove();
    } catch (const std::exception& e) {
      log.info(std::string("Warning: cannot remove the run directory: ") + e.what());
    }
  }
  maskRecord(record, request, renewal ? renewal->secretValues() : std::vector<std::string>());
  record.finishTime = std::chrono::system_clock::now();
  return record;
}

}  // namespace hangar::runner
