#include "agent/disk_pruner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

namespace fs = std::filesystem;
using runner::RunStatus;
using ::testing::HasSubstr;

class DiskPrunerTest : public ::testing::Test {
 protected:
  DiskPrunerTest() : store(dir.path() / "state" / "runs.db") { paths.stateDir = dir.path() / "state"; }

  void addRun(const std::string& id, RunStatus status) {
    StoredRun run;
    run.record.id = id;
    run.record.status = status;
    run.trigger = "manual";
    run.createTime = std::chrono::system_clock::now();
    store.insert(run);
  }
  // <stateDir>/runs/ID/workspace/data and <stateDir>/contexts/ID/data, `bytes` each.
  void leaveDirectories(const std::string& id, std::size_t bytes = 4096) {
    for (const fs::path& file :
         {paths.workRoot() / id / "workspace" / "data", paths.fetchedContext(id) / "data"}) {
      fs::create_directories(file.parent_path());
      std::ofstream(file, std::ios::binary) << std::string(bytes, 'x');
    }
  }
  void age(const std::string& id) {
    for (const fs::path& path : {paths.workRoot() / id, paths.fetchedContext(id)})
      fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::hours(48));
  }
  // An engine binary that records its arguments and exits with `exitCode`.
  config::EngineSettings fakeEngine(int exitCode = 0) {
    fs::path script = dir.path() / "fake-buildah";
    std::ofstream(script) << "#!/bin/sh\necho \"$@\" > " << (dir.path() / "engine-args").string()
                          << "\necho engine-said-no\nexit " << exitCode << "\n";
    fs::permissions(script, fs::perms::owner_all);
    config::EngineSettings engine;
    engine.binary = script.string();
    engine.storageDriver = "vfs";
    return engine;
  }
  std::string engineArgs() {
    std::ifstream in(dir.path() / "engine-args");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  test::TempDir dir;
  RunStore store;
  ServicePaths paths;
  std::unique_ptr<runner::ProcessLauncher> launcher = runner::makeSystemProcessLauncher();
};

TEST_F(DiskPrunerTest, RemovesOnlyTheLeftoversOfEndedRunsAndOldUnknownOnes) {
  addRun("ended-ok", RunStatus::Succeeded);
  addRun("ended-failed", RunStatus::Failed);
  addRun("running", RunStatus::Running);
  addRun("queued", RunStatus::Queued);
  leaveDirectories("ended-ok", 1024 * 1024);
  leaveDirectories("ended-failed");
  leaveDirectories("running");
  leaveDirectories("queued");
  leaveDirectories("unknown-new");
  leaveDirectories("unknown-old");
  age("unknown-old");
  auto report = pruneForSpace(paths, store, fakeEngine(), true, *launcher);
  EXPECT_EQ(report.runDirectories, 3u);
  EXPECT_EQ(report.fetchedContexts, 3u);
  EXPECT_GE(report.bytes, 2u * 1024 * 1024);  // ended-ok's two MiB at least
  for (const char* gone : {"ended-ok", "ended-failed", "unknown-old"}) {
    EXPECT_FALSE(fs::exists(paths.workRoot() / gone)) << gone;
    EXPECT_FALSE(fs::exists(paths.fetchedContext(gone))) << gone;
  }
  for (const char* kept : {"running", "queued", "unknown-new"}) {
    EXPECT_TRUE(fs::exists(paths.workRoot() / kept / "workspace" / "data")) << kept;
    EXPECT_TRUE(fs::exists(paths.fetchedContext(kept) / "data")) << kept;
  }
  // A run is Running in the store (a run-once on this state directory): the engine is left alone.
  EXPECT_TRUE(report.engineCommand.empty());
  EXPECT_THAT(report.engineOutcome, HasSubstr("skipped"));
  EXPECT_FALSE(fs::exists(dir.path() / "engine-args"));
  EXPECT_THAT(report.describe(),
              HasSubstr("removed 3 run directories and 3 fetched contexts of ended runs (2 MiB)"));
}

TEST_F(DiskPrunerTest, PrunesTheEngineOnlyWhenNoRunIsGoing) {
  addRun("ended", RunStatus::Succeeded);
  auto report = pruneForSpace(paths, store, fakeEngine(), false, *launcher);
  EXPECT_TRUE(report.engineCommand.empty());
  EXPECT_FALSE(fs::exists(dir.path() / "engine-args"));

  report = pruneForSpace(paths, store, fakeEngine(), true, *launcher);
  EXPECT_EQ(report.engineOutcome, "ok");
  EXPECT_EQ(engineArgs(), "--storage-driver vfs rmi --prune\n");
  EXPECT_EQ(report.runDirectories, 0u);  // nothing was left: no runs/ folder at all
  EXPECT_THAT(report.describe(), HasSubstr("removed 0 run directories and 0 fetched contexts"));
  EXPECT_THAT(report.describe(), HasSubstr("fake-buildah --storage-driver vfs rmi --prune: ok"));

  report = pruneForSpace(paths, store, fakeEngine(3), true, *launcher);
  EXPECT_EQ(report.engineOutcome, "exit code 3: engine-said-no");
}

TEST(EnginePruneCommand, BuildahWithItsStorageDriverAndDocker) {
  config::EngineSettings engine;
  EXPECT_EQ(enginePruneCommand(engine), (std::vector<std::string>{"buildah", "rmi", "--prune"}));
  engine.storageDriver = "overlay";
  EXPECT_EQ(enginePruneCommand(engine),
            (std::vector<std::string>{"buildah", "--storage-driver", "overlay", "rmi", "--prune"}));
  engine.kind = config::EngineKind::Docker;
  engine.binary = "docker";
  EXPECT_EQ(enginePruneCommand(engine), (std::vector<std::string>{"docker", "image", "prune", "--force"}));
}

}  // namespace
}  // namespace hangar::agent
