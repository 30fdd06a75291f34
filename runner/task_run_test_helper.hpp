#pragma once
// Shared by the runTask tests: a scripted fake launcher, a recording log and step builders.

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "runner/task_run.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::runner::test_helper {

namespace fs = std::filesystem;

/// What a fake process does: print `output` and exit with `exitCode`, or run until it is killed.
struct Reply {
  int exitCode = 0;
  std::string output;
  bool hang = false;
};

inline Reply exits(int code, std::string output = "") { return Reply{code, std::move(output), false}; }

/// A fake process: either finishes at once, or waits for its timeout, its stop token or kill().
class FakeProcess : public RunningProcess {
 public:
  FakeProcess(Reply reply, OutputHandler output) : reply_(std::move(reply)), output_(std::move(output)) {}

  ProcessResult wait(std::optional<std::chrono::milliseconds> timeout, std::stop_token stop) override {
    if (!reply_.output.empty()) output_(reply_.output);
    ProcessResult result;
    if (!reply_.hang) {
      result.exitCode = reply_.exitCode;
      return result;
    }
    std::unique_lock lock(mutex_);
    const auto killed = [&] { return killed_; };
    const bool woken =
        timeout ? wake_.wait_for(lock, stop, *timeout, killed) : wake_.wait(lock, stop, killed);
    result.exitCode = 143;
    if (stop.stop_requested()) {
      result.canceled = true;
    } else if (!woken) {
      result.timedOut = true;
    }
    done_ = true;
    return result;
  }
  bool running() override {
    std::lock_guard lock(mutex_);
    return reply_.hang && !done_;
  }
  void kill(std::chrono::milliseconds) override {
    std::lock_guard lock(mutex_);
    killed_ = true;
    wake_.notify_all();
  }
  int pid() const override { return 0; }

 private:
  Reply reply_;
  OutputHandler output_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool killed_ = false;
  bool done_ = false;
};

// The buildah verb of a spec: `buildah --storage-driver vfs VERB ...`.
inline std::string verbOf(const ProcessSpec& spec) { return spec.argv.size() > 3 ? spec.argv[3] : ""; }

// The value after `flag` in argv; "" when absent.
inline std::string argAfter(const ProcessSpec& spec, std::string_view flag) {
  const auto it = std::find(spec.argv.begin(), spec.argv.end(), flag);
  return it == spec.argv.end() || it + 1 == spec.argv.end() ? "" : *(it + 1);
}

// The step a container belongs to: "hangar-r1-<random>-slow" -> "slow".
inline std::string stepOf(const std::string& container) {
  const std::string prefix = "hangar-r1-";
  if (container.rfind(prefix, 0) != 0) return container;
  const auto dash = container.find('-', prefix.size());
  return dash == std::string::npos ? container : container.substr(dash + 1);
}

inline constexpr std::string_view kInspectJson =
    R"({"OCIv1": {"config": {"Cmd": ["/hello"], "WorkingDir": "/"}}})";

/// Records every spec it starts and answers with the script (by default: every command succeeds,
/// inspect prints an image config, push writes a digest).
class FakeLauncher : public ProcessLauncher {
 public:
  using Script = std::function<Reply(const ProcessSpec&)>;

  std::unique_ptr<RunningProcess> start(const ProcessSpec& spec, OutputHandler output) override {
    {
      std::lock_guard lock(mutex_);
      specs_.push_back(spec);
    }
    Reply reply = script ? script(spec) : Reply{};
    if (verbOf(spec) == "inspect" && reply.output.empty()) reply.output = kInspectJson;
    if (verbOf(spec) == "push" && reply.exitCode == 0 && !reply.hang) {
      std::ofstream(argAfter(spec, "--digestfile")) << "sha256:" << std::string(64, 'a') << "\n";
    }
    return std::make_unique<FakeProcess>(std::move(reply), std::move(output));
  }

  std::vector<ProcessSpec> specs() const {
    std::lock_guard lock(mutex_);
    return specs_;
  }
  std::vector<std::string> verbs() const {
    std::vector<std::string> verbs;
    for (const auto& spec : specs()) verbs.push_back(verbOf(spec));
    return verbs;
  }
  size_t count(std::string_view verb) const {
    const auto all = verbs();
    return std::count(all.begin(), all.end(), verb);
  }

  Script script;

 private:
  mutable std::mutex mutex_;
  std::vector<ProcessSpec> specs_;
};

/// Keeps every line and chunk; `onInfo` sees each info line as it arrives.
class RecordingLog : public LogSink {
 public:
  void info(std::string_view line) override {
    std::function<void(std::string_view)> hook;
    {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
      hook = onInfo;
    }
    if (hook) hook(line);
  }
  void output(std::string_view stepId, std::string_view chunk) override {
    std::lock_guard lock(mutex_);
    outputs_[std::string(stepId)] += chunk;
  }
  void stepFinished(std::string_view stepId) override {
    std::lock_guard lock(mutex_);
    lines_.push_back("<finished " + std::string(stepId) + ">");
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  std::string text() const {
    std::string all;
    for (const auto& line : lines()) all += line + "\n";
    return all;
  }
  std::string outputOf(const std::string& stepId) const {
    std::lock_guard lock(mutex_);
    return outputs_.contains(stepId) ? outputs_.at(stepId) : "";
  }

  std::function<void(std::string_view)> onInfo;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  std::map<std::string, std::string> outputs_;
};

inline config::Step cmdStep(std::string id, std::string cmd) {
  config::Step step;
  step.id = std::move(id);
  step.kind = config::StepKind::Cmd;
  step.cmd = std::move(cmd);
  step.retryDelay = 0;
  return step;
}

inline config::Step buildStep(std::string id, std::string build) {
  config::Step step;
  step.id = std::move(id);
  step.kind = config::StepKind::Build;
  step.build = std::move(build);
  step.retryDelay = 0;
  return step;
}

inline config::Step pushStep(std::string id, std::vector<std::string> images) {
  config::Step step;
  step.id = std::move(id);
  step.kind = config::StepKind::Push;
  step.push = std::move(images);
  return step;
}

/// A runTask test: request "r1" in a temporary work root, the fake launcher and the recording log.
class TaskRunTest : public ::testing::Test {
 protected:
  TaskRunTest() {
    request.runId = "r1";
    request.workRoot = root.path() / "runs";
    request.dockerConfig = root.path() / "no-config.json";
    request.registry = "127.0.0.1:5000";
  }

  RunRecord run(std::stop_token stop = {}) { return runTask(request, launcher, log, stop); }
  fs::path runDir() const { return request.workRoot / request.runId; }

  test::TempDir root;
  RunRequest request;
  FakeLauncher launcher;
  RecordingLog log;
};

}  // namespace hangar::runner::test_helper
