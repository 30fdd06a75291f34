#include "agent/task_check.hpp"

#include "agent/exit_code.hpp"
#include "agent/task_preparation.hpp"
#include "agent/usage_error.hpp"
#include "config/task_loader.hpp"
#include "runner/image_order.hpp"
#include "runner/secret_masker.hpp"

namespace hangar::agent {
namespace {

// Templates see a placeholder run id: nothing is run, so no id is spent.
constexpr const char* kPlaceholderRunId = "validate";

}  // namespace

int validateTaskFiles(const std::vector<std::string>& files, const RunOnceOptions& options, std::ostream& out,
                      std::ostream& err) {
  int exitCode = kExitSuccess;
  for (const auto& file : files) {
    RunOnceOptions one = options;
    one.taskFile = file;
    if (one.context.empty()) one.context = "/dev/null";
    try {
      config::LoadedTask loaded = config::loadTask(prepareTask(one, kPlaceholderRunId).load);
      err << loaded.diagnostics.str();
      const auto graph = runner::StepGraph::build(loaded.task.steps);
      err << runner::unorderedImageWarnings(graph, loaded.task.steps).str();
      out << file << ": valid (" << loaded.task.steps.size() << " steps)\n";
    } catch (const config::TaskError& e) {
      err << e.diagnostics().str();
      exitCode = kExitUsage;
    } catch (const UsageError& e) {
      err << file << ": error: " << e.what() << "\n";
      exitCode = kExitUsage;
    }
  }
  return exitCode;
}

int renderTaskFile(const RunOnceOptions& options, std::ostream& out, std::ostream& err) {
  try {
    PreparedTask prepared = prepareTask(options, kPlaceholderRunId);
    runner::SecretMasker masker;
    for (const auto& secret : prepared.secretValues) masker.add(secret);
    out << masker.mask(config::renderTask(prepared.load));
    return kExitSuccess;
  } catch (const config::TaskError& e) {
    err << e.diagnostics().str();
  } catch (const UsageError& e) {
    err << "error: " << e.what() << "\n";
  }
  return kExitUsage;
}

}  // namespace hangar::agent
