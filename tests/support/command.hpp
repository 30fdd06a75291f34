#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace hangar::test {

/// How to run a child process: time limit, working directory, environment changes and stdin.
struct CommandOptions {
  std::chrono::milliseconds timeout = std::chrono::seconds(120);
  std::filesystem::path cwd;               ///< empty: the current directory
  std::map<std::string, std::string> env;  ///< set on top of the inherited environment
  std::vector<std::string> unset_env;      ///< removed from the inherited environment
  std::string input;                       ///< written to the child's stdin, which is then closed
};

/// What a finished (or killed) child process left behind.
struct CommandResult {
  int exit_code = -1;  ///< the exit status, or 128 + signal when a signal ended it
  int signal = 0;      ///< the signal that ended it, 0 when it exited
  bool timed_out = false;
  std::string out;
  std::string err;

  /// A few lines for a failed assertion: the command's exit code, stdout and stderr.
  std::string describe() const;
};

/// Runs argv[0] (searched in PATH when it has no '/') with the rest as arguments, in its own process
/// group, capturing stdout and stderr. At the timeout the group gets SIGTERM, then SIGKILL 5 s later.
/// Throws std::runtime_error when the program cannot be started.
CommandResult run_command(const std::vector<std::string>& argv, const CommandOptions& options = {});

/// Like run_command, and throws std::runtime_error (with describe()) unless the exit code is 0.
CommandResult run_checked(const std::vector<std::string>& argv, const CommandOptions& options = {});

/// `result` of running `argv`; throws as run_checked does unless its exit code is 0.
CommandResult checked(const std::vector<std::string>& argv, CommandResult result);

#ifdef HANGAR_BINARY
/// Runs the `hangar` binary built with the tests.
inline CommandResult run_hangar(std::vector<std::string> args, const CommandOptions& options = {}) {
  args.insert(args.begin(), HANGAR_BINARY);
  return run_command(args, options);
}
#endif

}  // namespace hangar::test
