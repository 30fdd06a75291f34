#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "registry/credential.hpp"
#include "runner/masking_log.hpp"
#include "runner/task_run.hpp"

namespace hangar::runner {

/// Keeps a run's expiring registry logins valid (RunRequest::renewLogins): renewIfDue() renews them once
/// their expiry is a quarter of their remaining life (at most 30 minutes) away, has `log` mask the new secret
/// values before anything else sees them, then replaces the run's auth file atomically (a 0600 temporary file
/// renamed over it). A failed renewal is logged (masked) and the current logins stay; it is tried again a
/// minute later at the earliest. Thread-safe: parallel steps may call it at once; one renews while the others
/// wait.
class LoginRenewal {
 public:
  /// `credentials` is everything the auth file holds now (docker config hosts and logins). `request` and
  /// `log` must outlive the renewal.
  LoginRenewal(const RunRequest& request, std::filesystem::path authFile,
               std::map<std::string, registry::Credential> credentials, MaskingLog& log);

  /// Renews when due (by RunRequest::loginsExpiry, then each renewal's expiry; RunRequest::now's time);
  /// never throws.
  void renewIfDue();
  /// A thread that calls renewIfDue every `interval` until it is stopped (destroyed): logins stay valid
  /// while a step runs for hours, not only when steps start.
  std::jthread watch(std::chrono::milliseconds interval);
  /// Every secret value the renewals brought so far (to mask the run's record).
  std::vector<std::string> secretValues() const;

 private:
  std::chrono::system_clock::time_point now() const;
  /// When logins expiring at `expiry` are renewed; none when they do not expire.
  std::optional<std::chrono::system_clock::time_point> renewalTime(
      std::optional<std::chrono::system_clock::time_point> expiry) const;
  void renewLocked();
  /// After a failed renewal: logs `reason`; the next try is a minute later.
  void failed(const std::string& reason);

  const RunRequest& request_;
  std::filesystem::path authFile_;
  MaskingLog& log_;
  mutable std::mutex mutex_;  // guards the members below; held while renewing
  std::map<std::string, registry::Credential> credentials_;
  std::optional<std::chrono::system_clock::time_point> renewBy_;  // none: never
  std::vector<std::string> secretValues_;
};

}  // namespace hangar::runner
