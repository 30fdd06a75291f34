#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "config/task.hpp"
#include "registry/credential.hpp"
#include "runner/log_sink.hpp"
#include "runner/process_launcher.hpp"
#include "runner/run_record.hpp"

namespace hangar::runner {

/// Which container engine runs the steps and how; the defaults work as root on Debian 12
/// (buildah with vfs storage and chroot isolation, no daemon).
struct EngineSettings {
  std::string kind = "buildah";  // buildah | docker
  std::string binary;            // empty = same as kind
  std::string storageDriver = "vfs";
  std::string isolation = "chroot";
};

/// Registry logins: credentials by host, the secret values in them (passwords, tokens: to mask) and when
/// the first of them expires (an ACR refresh token's JWT `exp`; none = they do not expire).
struct RegistryLogins {
  std::map<std::string, registry::Credential> credentials;  // host[:port] -> credential
  std::vector<std::string> secretValues;
  std::optional<std::chrono::system_clock::time_point> expiry;
};

/// Everything one run needs, already resolved: the rendered task, where it runs, and how.
struct RunRequest {
  config::Task task;
  std::string runId;
  std::filesystem::path contextDir;  // the build context; empty = none (/dev/null)
  std::string registry;              // $Registry, may be empty
  std::string taskName;              // the configured task's name; empty = a quick run (run-once)
  EngineSettings engine;
  std::filesystem::path workRoot;                      // the run's scratch space: workspace, auth file
  std::optional<std::filesystem::path> dockerConfig;   // credentials source (config.json); none = default
  std::map<std::string, std::string> mirrors;          // registry host -> mirror prefix
  std::vector<std::string> insecureRegistries;         // hosts reached over plain HTTP besides loopback ones
  int timeoutSeconds = 3600;                           // the whole run
  std::vector<std::string> secretValues;               // masked as *** in every log line and record
  std::map<std::string, registry::Credential> logins;  // host -> credential; wins over dockerConfig
  /// Runs a cmd step inside Hangar instead of a container: given the step's image and arguments, it
  /// writes the step's output to `log` and returns the exit code, or nullopt when it does not handle that
  /// image (the container runs as usual); `authFile` is the run's auth file, with every credential the run
  /// has. The agent sets it so `cmd: acr purge ...` purges natively.
  std::function<std::optional<int>(const std::string& image, const std::vector<std::string>& args,
                                   const std::string& stepId, LogSink& log,
                                   const std::filesystem::path& authFile)>
      inProcessCommand;
  /// Renews `logins` for a long run: before a step or an in-process command starts, once `loginsExpiry`
  /// is a quarter of their remaining life (at most 30 minutes) away, the run calls it, masks its secret
  /// values, writes its credentials over those of their hosts in the auth file (atomically) and takes its
  /// expiry. A failure is logged; the old logins stay. Empty, or no loginsExpiry: never renewed.
  std::function<RegistryLogins()> renewLogins;
  std::optional<std::chrono::system_clock::time_point> loginsExpiry;
  std::function<std::chrono::system_clock::time_point()> now;  // the renewals' clock; empty = the system's
  /// How often the logins are also checked while steps run (a purge step may last for hours).
  std::chrono::milliseconds loginRenewalCheck{std::chrono::minutes(1)};
};

/// Runs one task: prepares the workspace and credentials, runs the steps (file order / `when`
/// graph), records each step and pushed image, and removes every container it made, however the
/// run ends. Never throws for a failing step: the record says what failed.
RunRecord runTask(const RunRequest& request, ProcessLauncher& launcher, LogSink& log, std::stop_token stop);

}  // namespace hangar::runner
