#include "agent/disk_pruner.hpp"

#include <sys/stat.h>

#include <set>
#include <utility>

namespace hangar::agent {
namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t kMiB = 1024 * 1024;

// The bytes the files under `dir` occupy (allocated blocks; a hard-linked file counted once).
std::uintmax_t diskUsage(const fs::path& dir) {
  std::uintmax_t total = 0;
  std::set<std::pair<dev_t, ino_t>> seen;
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, error), end;
       !error && it != end; it.increment(error)) {
    struct stat info {};
    if (::lstat(it->path().c_str(), &info) != 0) continue;
    if (info.st_nlink > 1 && !S_ISDIR(info.st_mode) && !seen.emplace(info.st_dev, info.st_ino).second)
      continue;
    total += static_cast<std::uintmax_t>(info.st_blocks) * 512;
  }
  return total;
}

// Whether the leftover `entry`, named after a run id, may go: its run has ended, or the store does not
// know the id and nothing under it changed for `orphanAge`.
bool removable(const fs::directory_entry& entry, RunStore& store, std::chrono::seconds orphanAge) {
  if (auto run = store.get(entry.path().filename().string())) return isFinal(run->record.status);
  std::error_code error;
  auto changed = fs::last_write_time(entry.path(), error);
  return !error && fs::file_time_type::clock::now() - changed > orphanAge;
}

// Removes the removable entries of `root`; returns how many went.
std::size_t pruneLeftovers(const fs::path& root, RunStore& store, std::chrono::seconds orphanAge,
                           PruneReport& report) {
  std::size_t removed = 0;
  std::error_code error;
  for (fs::directory_iterator it(root, error), end; !error && it != end; it.increment(error)) {
    if (!removable(*it, store, orphanAge)) continue;
    std::uintmax_t bytes = diskUsage(it->path());
    std::error_code removeError;
    fs::remove_all(it->path(), removeError);
    if (removeError) {
      report.errors.push_back("cannot remove " + it->path().string() + ": " + removeError.message());
      continue;
    }
    report.bytes += bytes;
    ++removed;
  }
  return removed;
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

}  // namespace

std::string PruneReport::describe() const {
  std::string text = "removed " + std::to_string(runDirectories) +
                     (runDirectories == 1 ? " run directory" : " run directories") + " and " +
                     std::to_string(fetchedContexts) +
                     (fetchedContexts == 1 ? " fetched context" : " fetched contexts") + " of ended runs (" +
                     std::to_string(bytes / kMiB) + " MiB)";
  text += "; " + (engineCommand.empty() ? std::string("engine images not pruned") : joined(engineCommand)) +
          ": " + engineOutcome;
  for (const auto& error : errors) text += "; " + error;
  return text;
}

std::vector<std::string> enginePruneCommand(const config::EngineSettings& engine) {
  if (engine.kind == config::EngineKind::Docker) return {engine.binary, "image", "prune", "--force"};
  std::vector<std::string> argv{engine.binary};
  if (!engine.storageDriver.empty()) argv.insert(argv.end(), {"--storage-driver", engine.storageDriver});
  argv.insert(argv.end(), {"rmi", "--prune"});
  return argv;
}

PruneReport pruneForSpace(const ServicePaths& paths, RunStore& store, const config::EngineSettings& engine,
                          bool engineIdle, runner::ProcessLauncher& launcher, std::chrono::seconds orphanAge,
                          std::chrono::seconds engineTimeout, std::stop_token stop) {
  PruneReport report;
  try {
    report.runDirectories = pruneLeftovers(paths.workRoot(), store, orphanAge, report);
    report.fetchedContexts = pruneLeftovers(paths.stateDir / "contexts", store, orphanAge, report);
  } catch (const std::exception& e) {  // the store could not be read: remove nothing more
    report.errors.push_back(std::string("cannot read the run store: ") + e.what());
  }

  std::size_t active = 0;
  try {
    for (auto status : {runner::RunStatus::Started, runner::RunStatus::Running})
      active += store.runsInState(status).size();
  } catch (const std::exception& e) {
    report.engineOutcome = std::string("skipped: cannot read the run store: ") + e.what();
    return report;
  }
  if (!engineIdle || active > 0) {
    report.engineOutcome = "skipped while runs are going (an image they use could be in between tags)";
    return report;
  }
  report.engineCommand = enginePruneCommand(engine);
  std::string output;
  auto result = launcher.run(
      {report.engineCommand, {}, {}, std::nullopt},
      [&output](std::string_view chunk) {
        if (output.size() < 2048) output += chunk;
      },
      engineTimeout, stop);
  if (result.ok()) {
    report.engineOutcome = "ok";
  } else {
    while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
    report.engineOutcome = !result.error.empty() ? result.error
                           : result.timedOut     ? "timed out"
                           : result.canceled     ? "stopped: the service is stopping"
                                                 : "exit code " + std::to_string(result.exitCode) +
                                                   (output.empty() ? "" : ": " + output.substr(0, 400));
  }
  return report;
}

}  // namespace hangar::agent
