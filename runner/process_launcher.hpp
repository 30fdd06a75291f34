#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::runner {

/// What to start: an argv (never a shell line), environment overrides, a working directory and
/// optional bytes for stdin (how secrets reach a child: never through argv).
struct ProcessSpec {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // added to (or replacing in) the inherited environment
  std::filesystem::path workingDirectory;  // empty = the caller's
  std::optional<std::string> stdinData;    // written, then stdin is closed; absent = /dev/null
};

/// How a process ended.
struct ProcessResult {
  int exitCode = -1;      // the exit status, or 128+signal when killed by a signal
  bool timedOut = false;  // killed because its timeout passed
  bool canceled = false;  // killed because the stop token was triggered
  std::string error;      // set when the process could not be started at all
  bool ok() const { return exitCode == 0 && !timedOut && !canceled && error.empty(); }
};

/// Receives a child's output as it arrives (stdout and stderr interleaved), in chunks of any size.
using OutputHandler = std::function<void(std::string_view chunk)>;

/// A started child process that lives in its own process group: kill() signals the whole group,
/// so everything the child started (buildah's chroot runtime, the container's processes) ends too.
/// The group ends with its leader: when the child exits, whatever it left running is killed and
/// reaped, as a container's processes end with its main process. Destroying a running one kills it.
class RunningProcess {
 public:
  virtual ~RunningProcess() = default;
  /// Waits until the child exits, the timeout passes (then kills the group) or `stop` is requested
  /// (then kills the group). The output handler has seen all output when this returns.
  virtual ProcessResult wait(std::optional<std::chrono::milliseconds> timeout, std::stop_token stop) = 0;
  virtual bool running() = 0;
  /// SIGTERM to the group, then SIGKILL after `grace`; returns when the group leader is reaped.
  virtual void kill(std::chrono::milliseconds grace = std::chrono::milliseconds(2000)) = 0;
  virtual int pid() const = 0;
};

/// Starts child processes. The real one uses Boost.Process; tests can record the specs instead.
class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  virtual std::unique_ptr<RunningProcess> start(const ProcessSpec& spec, OutputHandler output) = 0;

  /// start() then wait(): the common case.
  ProcessResult run(const ProcessSpec& spec, OutputHandler output,
                    std::optional<std::chrono::milliseconds> timeout = std::nullopt,
                    std::stop_token stop = {});
};

/// The launcher of real processes (Boost.Process, one process group per child).
std::unique_ptr<ProcessLauncher> makeSystemProcessLauncher();

}  // namespace hangar::runner
