#pragma once

namespace hangar::agent {

/// The process exit codes of every verb (cli.md).
enum ExitCode : int {
  kExitSuccess = 0,  // the run or operation succeeded
  kExitFailed = 1,   // the run or operation failed
  kExitUsage = 2,    // usage, configuration or validation error
};

}  // namespace hangar::agent
