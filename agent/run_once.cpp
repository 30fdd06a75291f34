#include "agent/run_once.hpp"

#include <iostream>
#include <optional>

#include "agent/exit_code.hpp"
#include "agent/registry_logins.hpp"
#include "agent/run_history.hpp"
#include "agent/run_id.hpp"
#include "agent/state_dir.hpp"
#include "agent/task_preparation.hpp"
#include "agent/usage_error.hpp"
#include "config/task_loader.hpp"
#include "runner/console_log.hpp"
#include "runner/masking_log.hpp"
#include "runner/run_summary.hpp"
#include "runner/secret_masker.hpp"
#include "runner/tee_log.hpp"

namespace hangar::agent {
namespace {

// The record of a run that ended before its first step: every step Skipped.
runner::RunRecord notStarted(const runner::RunRequest& request, const std::string& error) {
  runner::RunRecord record;
  record.id = request.runId;
  record.status = runner::RunStatus::Error;
  record.error = error;
  record.startTime = record.finishTime = std::chrono::system_clock::now();
  for (const auto& step : request.task.steps) {
    runner::StepRecord skipped;
    skipped.id = step.id;
    record.steps.push_back(std::move(skipped));
  }
  return record;
}

}  // namespace

int runOnce(const RunOnceOptions& options, std::stop_token stop) {
  std::ostream& logStream = options.jsonOutput ? std::cerr : std::cout;
  std::filesystem::path stateDir = options.stateDir ? *options.stateDir : defaultStateDir();
  std::string runId = RunIdGenerator(stateDir).next();
  // A remote context is fetched into <stateDir>/contexts/<runId>: it goes when the run ends, however it ends.
  struct ContextRemover {
    std::filesystem::path path;
    ~ContextRemover() {
      std::error_code error;
      std::filesystem::remove_all(path, error);
      if (error)
        std::cerr << "warning: cannot remove the fetched context " << path << ": " << error.message() << "\n";
    }
  } contextRemover{fetchedContextDir(stateDir, runId)};

  PreparedTask prepared;
  config::LoadedTask loaded;
  std::optional<std::string> secretError;  // Key Vault failed: the run ends before its first step
  try {
    prepared = prepareTask(options, runId);
    try {
      loaded = config::loadTask(prepared.load);
    } catch (const SecretResolutionError& e) {
      secretError = e.what();
      prepared.load.resolveSecrets = nullptr;  // loaded again without them, for the record's steps
      loaded = config::loadTask(prepared.load);
    }
  } catch (const UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const config::TaskError& e) {
    std::cerr << e.diagnostics().str();
    return kExitUsage;
  }
  for (const auto& warning : prepared.warnings) std::cerr << "warning: " << warning << "\n";
  std::cerr << loaded.diagnostics.str();  // warnings only: errors threw above

  runner::RunRequest request =
      makeRunRequest(options, prepared, std::move(loaded.task), runId, stateDir / "runs");
  std::optional<std::string> loginError;
  try {
    addRegistryLogins(options, request);  // agent.yaml registries: (run-once --config)
  } catch (const std::exception& e) {
    loginError = e.what();
  }

  runner::ConsoleLog console(logStream);
  RunOnceHistory history(stateDir, runId);  // `hangar runs` and `hangar logs` show run-once runs too
  if (!history.warning().empty()) std::cerr << "warning: " << history.warning() << "\n";
  runner::TeeLog tee;
  tee.add(console);
  if (history.log() != nullptr) tee.add(*history.log());
  runner::MaskingLog log(tee, request.secretValues);
  auto launcher = runner::makeSystemProcessLauncher();
  runner::RunRecord record;
  if (secretError || loginError) {
    record = notStarted(request, secretError ? *secretError : *loginError);
  } else if (auto error = options.azure ? std::nullopt
                                        : unresolvedSecretsError(request.task, prepared.load.data.secrets)) {
    record = notStarted(request, *error);  // no Key Vault here: fail before any step
  } else {
    record = runner::runTask(request, *launcher, log, stop);
  }

  if (const config::RunVariables& run = prepared.load.data.run; !run.commit.empty())
    record.source = runner::SourceRecord{run.repository, run.commit, run.branch, run.gitTag};
  runner::logRunSummary(record, log);
  if (auto problem = history.finish(record); !problem.empty()) std::cerr << "warning: " << problem << "\n";
  if (options.jsonOutput) {
    runner::SecretMasker masker;  // the record is masked already; its JSON text is checked again
    for (const auto& secret : request.secretValues) masker.add(secret);
    std::cout << masker.mask(record.toJson().dump(2)) << std::endl;
  }
  return record.status == runner::RunStatus::Succeeded ? kExitSuccess : kExitFailed;
}

}  // namespace hangar::agent
