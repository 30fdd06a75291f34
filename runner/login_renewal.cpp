#include "runner/login_renewal.hpp"

#include <algorithm>
#include <condition_variable>

#include "registry/docker_config.hpp"

namespace hangar::runner {
namespace {

// How long after a failed renewal the next one is tried.
constexpr std::chrono::minutes kRetryDelay{1};
// Logins are renewed a quarter of their remaining life, at most this long, before they expire (an ACR
// refresh token, 3 hours: after 2.5 hours).
constexpr std::chrono::minutes kMaxRenewalMargin{30};

}  // namespace

LoginRenewal::LoginRenewal(const RunRequest& request, std::filesystem::path authFile,
                           std::map<std::string, registry::Credential> credentials, MaskingLog& log)
    : request_(request),
      authFile_(std::move(authFile)),
      log_(log),
      credentials_(std::move(credentials)),
      renewBy_(request.renewLogins ? renewalTime(request.loginsExpiry) : std::nullopt) {}

std::chrono::system_clock::time_point LoginRenewal::now() const {
  return request_.now ? request_.now() : std::chrono::system_clock::now();
}

std::optional<std::chrono::system_clock::time_point> LoginRenewal::renewalTime(
    std::optional<std::chrono::system_clock::time_point> expiry) const {
  if (!expiry) return std::nullopt;
  const auto life = std::max(*expiry - now(), std::chrono::system_clock::duration::zero());
  return *expiry - std::min<std::chrono::system_clock::duration>(life / 4, kMaxRenewalMargin);
}

void LoginRenewal::renewIfDue() {
  std::lock_guard lock(mutex_);
  if (!renewBy_ || now() < *renewBy_) return;
  try {
    renewLocked();
  } catch (const std::exception& e) {
    failed(e.what());
  } catch (...) {
    failed("unknown error");
  }
}

void LoginRenewal::failed(const std::string& reason) {
  renewBy_ = now() + kRetryDelay;  // not once per step that starts meanwhile
  try {
    log_.info("Warning: cannot renew the registry logins; the steps go on with the current ones: " + reason);
  } catch (...) {
    // A log that cannot take the warning cannot take anything else either; the step reports that.
  }
}

void LoginRenewal::renewLocked() {
  RegistryLogins renewed = request_.renewLogins();
  // Masked before the auth file (which steps may print) holds them.
  for (const auto& secret : renewed.secretValues) {
    log_.addSecret(secret);
    secretValues_.push_back(secret);
  }
  auto credentials = credentials_;
  std::string hosts;
  for (auto& [host, credential] : renewed.credentials) {
    hosts += (hosts.empty() ? "" : ", ") + host;
    credentials[host] = std::move(credential);
  }
  registry::writeAuthFile(authFile_, credentials);  // a 0600 temporary file renamed over the old one
  credentials_ = std::move(credentials);
  renewBy_ = renewalTime(renewed.expiry);
  log_.info("Registry logins renewed" + (hosts.empty() ? std::string() : ": " + hosts));
}

std::jthread LoginRenewal::watch(std::chrono::milliseconds interval) {
  return std::jthread([this, interval](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wakeUp;
    std::unique_lock lock(mutex);
    // Returns early (true) only when stopped: the thread ends at once, not after the interval.
    while (!wakeUp.wait_for(lock, stop, interval, [&stop] { return stop.stop_requested(); })) renewIfDue();
  });
}

std::vector<std::string> LoginRenewal::secretValues() const {
  std::lock_guard lock(mutex_);
  return secretValues_;
}

}  // namespace hangar::runner
