#pragma once
// Shared by the runTask tests with real buildah: a collecting log, step builders, the fixture.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "runner/task_run.hpp"
#include "tests/support/busybox_image.hpp"
#include "tests/support/command.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::runner::buildah_test {

/// Keeps the log; `onInfo` sees each info line as it arrives (from any thread).
class CollectingLog : public LogSink {
 public:
  void info(std::string_view line) override {
    std::function<void(std::string_view)> hook;
    {
      std::lock_guard lock(mutex_);
      text_ += std::string(line) + "\n";
      hook = onInfo;
    }
    if (hook) hook(line);
  }
  void output(std::string_view stepId, std::string_view chunk) override {
    std::lock_guard lock(mutex_);
    outputs_[std::string(stepId)] += chunk;
  }
  std::string text() const {
    std::lock_guard lock(mutex_);
    return text_;
  }
  std::string outputOf(const std::string& stepId) const {
    std::lock_guard lock(mutex_);
    return outputs_.contains(stepId) ? outputs_.at(stepId) : "";
  }
  std::function<void(std::string_view)> onInfo;

 private:
  mutable std::mutex mutex_;
  std::string text_;
  std::map<std::string, std::string> outputs_;
};

inline config::Step step(std::string id, config::StepKind kind) {
  config::Step s;
  s.id = std::move(id);
  s.kind = kind;
  return s;
}

inline std::string uniqueId(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

inline std::vector<std::string> buildah(std::initializer_list<std::string> args) {
  auto command = test::buildah_command();
  command.insert(command.end(), args);
  return command;
}

inline std::string containerNames() {
  return test::run_checked(buildah({"containers", "--format", "{{.ContainerName}}"})).out;
}

class TaskRunBuildahTest : public ::testing::Test {
 protected:
  TaskRunBuildahTest() {
    request.runId = uniqueId("rb");
    request.workRoot = root.path() / "runs";
    request.dockerConfig = root.path() / "no-config.json";
  }
  RunRecord run() { return runTask(request, *launcher, log, {}); }
  /// The folder a buildah wrapper's script may `mkdir` marks in, to act only once.
  std::filesystem::path marks() const { return root.path() / "marks"; }
  /// Runs the steps' buildah through a shell wrapper: `script` first, then `exec buildah "$@"`.
  void wrapBuildahWith(const std::string& script) {
    std::filesystem::create_directories(marks());
    request.engine.binary = root.write("buildah-wrapper", "#!/bin/sh\n" + script + "exec buildah \"$@\"\n",
                                       std::filesystem::perms::owner_all)
                                .string();
  }

  test::TempDir root;
  RunRequest request;
  std::unique_ptr<ProcessLauncher> launcher = makeSystemProcessLauncher();
  CollectingLog log;
};

}  // namespace hangar::runner::buildah_test
