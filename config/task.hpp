#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"

namespace hangar::config {

/// A task-level secret (§1): resolved from Azure Key Vault with a managed identity before rendering.
struct SecretSpec {
  std::string id;
  std::string keyVault;  // the secret's URL in Key Vault
  std::string clientId;  // user-assigned identity (a GUID); empty = system-assigned
  SourcePosition position;
};

/// A task-level network (§1); Hangar's engines share the host network, so these are recorded only.
struct NetworkSpec {
  std::string name;
  std::string driver;
  bool ipv6 = false;
  bool skipCreation = false;
  bool isDefault = false;
  SourcePosition position;
};

/// A task-level volume (§1): files whose base64 content is decoded and mounted into the steps naming it.
struct VolumeSpec {
  std::string name;
  std::map<std::string, std::string> secret;  // file name -> base64 content
  SourcePosition position;
};

/// A step's `volumeMounts` entry.
struct VolumeMount {
  std::string name;
  std::string mountPath;
};

/// The `alias:` block (§3.5). Already applied by the preprocessor; kept for `render`.
struct AliasSpec {
  std::vector<std::string> src;
  std::map<std::string, std::string> values;
  std::string directive = "$";
};

enum class StepKind { Build, Push, Cmd };

/// One step of a task (§2.2), with the defaults of acr-builder applied by the parser.
struct Step {
  std::string id;  // given, or acb_step_<index>
  bool idGiven = false;
  StepKind kind = StepKind::Cmd;
  std::string build;              // docker-build argument string
  std::vector<std::string> push;  // images, ":latest" already added, duplicates removed
  std::string cmd;                // [docker-run flags] IMAGE [ARGS], image aliases already expanded
  std::vector<std::string> when;  // ids of parents; ["-"] = start at once; empty = previous step
  int timeout = 600;              // seconds; the task's stepTimeout when absent
  int startDelay = 0;
  int retries = 0;
  int retryDelay = 5;  // 0 or less becomes 5, as in acr-builder
  std::vector<std::string> retryOnErrors;
  int repeat = 0;
  bool ignoreErrors = false;
  bool detach = false;
  bool keep = false;
  std::string entryPoint;
  std::vector<std::string> env;  // task env merged in, step wins: "K=V"
  std::vector<std::string> expose;
  std::vector<std::string> ports;
  bool privileged = false;
  std::string user;
  std::string network;
  std::string isolation;
  std::string cpus;
  std::string workingDirectory;  // as written (may be relative); empty = task's, else /workspace
  bool disableWorkingDirectoryOverride = false;
  bool pull = false;
  int cmdDownloadRetries = 0;
  int cmdDownloadRetryDelay = 0;
  bool cache = false;  // `cache: enabled`
  std::vector<VolumeMount> volumeMounts;
  std::vector<int> exitedWith;     // accepted, never used (as acr-builder)
  std::vector<int> exitedWithout;  // accepted, never used (as acr-builder)
  SourcePosition position;         // where the step starts in the task file
};

/// A parsed and validated acr-task file (§1).
struct Task {
  std::string version = "v1.0.0";
  int stepTimeout = 600;
  std::string workingDirectory;
  std::vector<std::string> env;
  std::vector<SecretSpec> secrets;
  std::vector<NetworkSpec> networks;
  std::vector<VolumeSpec> volumes;
  std::optional<AliasSpec> alias;
  std::vector<Step> steps;
  std::string file;  // the task file's name as given, for messages
};

}  // namespace hangar::config
