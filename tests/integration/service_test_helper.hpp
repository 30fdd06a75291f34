// Shared by the service integration tests: a temporary agent (state dir + agent.yaml), the real
// `hangar run` started in the background, and waits for conditions with deadlines.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/busybox_image.hpp"
#include "tests/support/command.hpp"
#include "tests/support/stand_in_images.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {

/// Polls `condition` every 50 ms until it holds (true) or `timeout` passes (false).
inline bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

/// One agent for one test: its folder, agent.yaml, and the `hangar run` process while it runs.
class TestAgent {
 public:
  TestAgent() : dir_("hangar-service-test") { std::filesystem::create_directories(stateDir()); }
  ~TestAgent() { killService(); }

  std::filesystem::path stateDir() const { return dir_.path() / "state"; }
  std::filesystem::path configFile() const { return dir_.path() / "agent.yaml"; }
  std::filesystem::path serviceLog() const { return dir_.path() / "service.log"; }
  std::filesystem::path clockFile() const { return dir_.path() / "clock"; }
  const TempDir& dir() const { return dir_; }

  /// Writes agent.yaml: stateDir and `slots` first, then `rest` (tasks etc.).
  void writeConfig(const std::string& rest, int slots = 2, const std::string& extra = "") const {
    std::ofstream(configFile()) << "stateDir: " << stateDir().string() << "\nslots: " << slots << "\n"
                                << extra << rest;
  }
  /// Sets the test clock (HANGAR_TEST_CLOCK_FILE) to an RFC 3339 time.
  void setClock(const std::string& time) const {
    std::ofstream(clockFile().string() + ".tmp") << time << "\n";
    std::filesystem::rename(clockFile().string() + ".tmp", clockFile());
  }

  /// Starts `hangar run --config agent.yaml` with stderr appended to service.log.
  void startService(bool testClock = false) {
    if (pid_ > 0) throw std::runtime_error("the service runs already");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      setpgid(0, 0);
      int log = ::open(serviceLog().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      dup2(log, 1);
      dup2(log, 2);
      if (testClock) setenv("HANGAR_TEST_CLOCK_FILE", clockFile().c_str(), 1);
      for (const auto& [name, value] : env_) setenv(name.c_str(), value.c_str(), 1);
      unsetenv("NOTIFY_SOCKET");
      execl(HANGAR_BINARY, HANGAR_BINARY, "run", "--config", configFile().c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    if (!waitUntil(
            [&] { return read_file_or_empty(serviceLog()).find("service ready") != std::string::npos; },
            std::chrono::seconds(30)))
      throw std::runtime_error("the service did not start:\n" + read_file_or_empty(serviceLog()));
  }
  /// Sets an environment variable for the next startService().
  void setServiceEnv(const std::string& name, const std::string& value) { env_[name] = value; }
  void signalService(int signal) const { ::kill(pid_, signal); }
  /// Waits for the service to exit; its exit code (128 + signal when killed), -1 on timeout.
  int waitService(std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    int status = 0;
    bool ended = waitUntil([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout);
    if (!ended) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  void killService() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  /// `hangar ARGS --config agent.yaml`.
  CommandResult hangar(std::vector<std::string> args, CommandOptions options = {}) const {
    args.push_back("--config");
    args.push_back(configFile().string());
    return run_hangar(args, options);
  }
  /// The stored runs, newest first (`hangar runs --output json --top N`).
  nlohmann::json runs(std::size_t top = 100) const {
    auto result = hangar({"runs", "--output", "json", "--top", std::to_string(top)});
    if (result.exit_code != 0) throw std::runtime_error(result.describe());
    return nlohmann::json::parse(result.out);
  }
  std::string status(const std::string& runId) const {
    for (const auto& run : runs(100000))
      if (run["id"] == runId) return run["status"];
    return "";
  }
  /// `hangar enqueue --task NAME`; returns the run id.
  std::string enqueue(const std::string& task) const {
    auto result = hangar({"enqueue", "--task", task});
    if (result.exit_code != 0) throw std::runtime_error(result.describe());
    std::string id = result.out;
    while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
    return id;
  }
  std::filesystem::path workspace(const std::string& runId) const {
    return stateDir() / "runs" / runId / "workspace";
  }
  std::string log(const std::string& runId) const {
    return read_file_or_empty(stateDir() / "logs" / (runId + ".log"));
  }

  static std::string read_file_or_empty(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  std::map<std::string, std::string> env_;
};

/// The local busybox image the service tests run their cmd steps in.
inline const std::string& serviceTestImage() {
  static const std::string image = build_busybox_image(busybox_base_image());
  return image;
}

/// A task file whose only step prints "started MARKER-RUNID" (MARKER = .Values.marker), then waits (up
/// to 5 minutes) for the file `go` in its workspace, then prints "released". A test releases it by
/// creating that file; the marker finds the step's processes (pgrep -f).
inline std::string blockingTaskFile() {
  return "version: v1.1.0\nsteps:\n  - id: wait\n    cmd: " + serviceTestImage() +
         " sh -c 'echo started {{.Values.marker}}-{{.Run.ID}}"
         "; for i in $(seq 3000); do [ -f /workspace/go ] && echo released && exit 0; sleep 0.1; done; exit "
         "1'\n";
}

/// agent.yaml `tasks:` text: task `wait` (blockingTaskFile() in a context under the agent's folder, with
/// `marker` = the folder's unique name) and task `hello` (one cmd step printing hello-from-service).
inline std::string standardTasks(const TestAgent& agent, const std::string& extraTaskKeys = "") {
  agent.dir().write("ctx/wait.yaml", blockingTaskFile());
  std::string marker = agent.dir().path().filename().string();
  return "tasks:\n"
         "  - name: wait\n    file: wait.yaml\n    context: " +
         (agent.dir().path() / "ctx").string() + "\n    values: {marker: " + marker + "}\n" + extraTaskKeys +
         "  - name: hello\n    cmd: " + serviceTestImage() + " echo hello-from-service\n";
}

/// The marker blockingTaskFile() prints for `runId` in `agent`.
inline std::string waitMarker(const TestAgent& agent, const std::string& runId) {
  return agent.dir().path().filename().string() + "-" + runId;
}

}  // namespace hangar::test
