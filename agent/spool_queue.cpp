#include "agent/spool_queue.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "agent/durable_file.hpp"

namespace hangar::agent {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void throwErrno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

/// "<20-digit ns since epoch>-<runId>.json": names sort in enqueue order.
std::string messageName(const std::string& runId) {
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%020lld", static_cast<long long>(now));
  return std::string(stamp) + "-" + runId + ".json";
}

/// The run id in a message name, or "" when the name is not of the form messageName() makes.
std::string runIdFromName(std::string_view name) {
  const size_t dash = name.find('-');
  if (dash == std::string_view::npos || !name.ends_with(".json")) return "";
  const std::string_view id = name.substr(dash + 1, name.size() - dash - 1 - 5);
  return isValidRunId(id) ? std::string(id) : "";
}

/// Splits "OWNER-NAME" into its owner and name; the owner is "" when there is no dash.
std::pair<std::string, std::string> splitOwner(const std::string& claimed) {
  const size_t dash = claimed.find('-');
  if (dash == std::string::npos) return {"", claimed};
  return {claimed.substr(0, dash), claimed.substr(dash + 1)};
}

/// The names of the regular files in `directory`, sorted.
std::vector<std::string> listFiles(const fs::path& directory) {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
    std::error_code error;
    if (entry.is_regular_file(error) || entry.is_symlink(error))
      names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// Holds an exclusive flock on a file for its lifetime.
class LockFile {
 public:
  explicit LockFile(const fs::path& file) : fd_(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ < 0) throwErrno(errno, "cannot open " + file.string());
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        const int error = errno;
        ::close(fd_);
        throwErrno(error, "cannot lock " + file.string());
      }
    }
  }
  ~LockFile() { ::close(fd_); }
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;

 private:
  int fd_;
};

}  // namespace

SpoolQueue::SpoolQueue(fs::path root, int maxAttempts)
    : root_(std::move(root)),
      tmp_(root_ / "tmp"),
      incoming_(root_ / "incoming"),
      claimed_(root_ / "claimed"),
      poison_(root_ / "poison"),
      maxAttempts_(maxAttempts),
      owner_(ProcessIdentity::self().str()) {
  if (maxAttempts_ < 1) throw std::invalid_argument("spool queue: maxAttempts must be at least 1");
  // New folders are private (requests may carry --set values); existing ones keep the admin's modes.
  for (const fs::path& dir : {tmp_, incoming_, claimed_, poison_})
    if (fs::create_directories(dir)) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
  inotify_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_ < 0) throwErrno(errno, "cannot start inotify for " + incoming_.string());
  if (::inotify_add_watch(inotify_, incoming_.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
    const int error = errno;
    ::close(inotify_);
    throwErrno(error, "cannot watch " + incoming_.string());
  }
  stopEvent_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stopEvent_ < 0) {
    const int error = errno;
    ::close(inotify_);
    throwErrno(error, "cannot create an eventfd");
  }
}

SpoolQueue::~SpoolQueue() {
  ::close(inotify_);
  ::close(stopEvent_);
}

std::string SpoolQueue::tempName(const std::string& name) {
  return owner_ + "-" + name + "." + std::to_string(tempCounter_++);
}

void SpoolQueue::enqueue(const RunRequestMessage& message) {
  if (!message.malformedReason.empty())
    throw std::invalid_argument("run request " + message.runId + ": a malformed message cannot be queued");
  const nlohmann::json json = message.toJson();
  RunRequestMessage::fromJson(json);  // never write what would not read back
  const std::string name = messageName(message.runId);
  const fs::path temp = tmp_ / tempName(name);
  writeNewFile(temp, json.dump() + "\n");
  try {
    if (!renameNoReplace(temp, incoming_ / name)) throwErrno(ENOENT, "lost " + temp.string());
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  fsyncDirectory(incoming_);
}

std::optional<Claim> SpoolQueue::claim() {
  std::lock_guard lock(mutex_);
  for (int pass = 0; pass < 2; ++pass) {
    if (pending_.empty()) {
      std::vector<std::string> names = listFiles(incoming_);
      pending_.assign(names.begin(), names.end());
    }
    while (!pending_.empty()) {
      const std::string name = pending_.front();
      pending_.pop_front();
      if (auto claimed = takeOne(name)) return claimed;
    }
  }
  return std::nullopt;
}

std::optional<Claim> SpoolQueue::takeOne(const std::string& name) {
  const std::string claimId = owner_ + "-" + name;
  if (!renameNoReplace(incoming_ / name, claimed_ / claimId)) return std::nullopt;  // another claimer won
  return readClaim(claimId, name);
}

Claim SpoolQueue::readClaim(const std::string& claimId, const std::string& name) {
  Claim claim;
  claim.claimId = claimId;
  try {
    claim.message = RunRequestMessage::parse(readRegularFile(claimed_ / claimId, kMaxMessageBytes));
  } catch (const std::exception& e) {
    claim.message = RunRequestMessage{};
    claim.message.runId = runIdFromName(name);
    claim.message.malformedReason = "the queued request " + name + " is malformed: " + e.what();
  }
  return claim;
}

void SpoolQueue::complete(const Claim& claim) {
  const fs::path file = claimed_ / claim.claimId;
  if (::unlink(file.c_str()) != 0) {
    if (errno == ENOENT)
      throw std::runtime_error("spool queue: claim " + claim.claimId + " is no longer held");
    throwErrno(errno, "cannot remove " + file.string());
  }
  fsyncDirectory(claimed_);
}

void SpoolQueue::release(const Claim& claim, const std::string& reason) {
  if (!putBack(claim, reason, true))
    throw std::runtime_error("spool queue: claim " + claim.claimId + " is no longer held");
}

void SpoolQueue::requeue(const Claim& claim) {
  if (!putBack(claim, "", false))
    throw std::runtime_error("spool queue: claim " + claim.claimId + " is no longer held");
  std::lock_guard lock(mutex_);
  pending_.clear();  // the next claim lists incoming/ again, so this request is first in line again
}

void SpoolQueue::writePoisonReason(const std::string& name, const std::string& reason) {
  const fs::path temp = tmp_ / tempName(name + ".reason");
  writeNewFile(temp, reason + "\n");
  renameReplace(temp, poison_ / (name + ".reason"));
}

bool SpoolQueue::putBack(const Claim& claim, const std::string& reason, bool countAttempt) {
  const fs::path held = claimed_ / claim.claimId;
  if (!fs::exists(fs::symlink_status(held))) return false;
  const std::string name = splitOwner(claim.claimId).second;

  if (!claim.message.malformedReason.empty()) {
    // It can never succeed: park it untouched, with why.
    writePoisonReason(name, claim.message.malformedReason + (reason.empty() ? "" : "\n" + reason));
    if (!renameReplace(held, poison_ / name)) return false;
    fsyncDirectory(poison_);
    return true;
  }

  RunRequestMessage next = claim.message;
  if (!countAttempt) {  // not the request's fault: back as it was, attempts unchanged
    if (!renameNoReplace(held, incoming_ / name)) return false;
    fsyncDirectory(incoming_);
    return true;
  }
  ++next.attempts;
  // Rewrite the held file in place first: a crash after this leaves a claim with the new count.
  const fs::path temp = tmp_ / tempName(name);
  writeNewFile(temp, next.toJson().dump() + "\n");
  if (!renameReplace(temp, held)) return false;
  if (next.attempts >= maxAttempts_) {
    writePoisonReason(name, "failed " + std::to_string(next.attempts) + " times; last: " + reason);
    if (!renameReplace(held, poison_ / name)) return false;
    fsyncDirectory(poison_);
    return true;
  }
  if (!renameNoReplace(held, incoming_ / name)) return false;
  fsyncDirectory(incoming_);
  return true;
}

std::size_t SpoolQueue::depth() { return listFiles(incoming_).size(); }

bool SpoolQueue::anyWaiting() const {
  for (const fs::directory_entry& entry : fs::directory_iterator(incoming_)) {
    std::error_code error;
    if (!entry.is_directory(error)) return true;
  }
  return false;
}

bool SpoolQueue::waitForWork(std::chrono::milliseconds timeout, std::stop_token stop) {
  if (stop.stop_requested()) return false;
  // The inotify watch exists since construction, so a request that arrives after this check is an
  // event waiting on the descriptor: no wake-up is lost.
  if (anyWaiting()) return true;
  std::stop_callback onStop(stop, [this] {
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(stopEvent_, &one, sizeof one);
  });
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || stop.stop_requested()) return false;
    pollfd fds[2] = {{inotify_, POLLIN, 0}, {stopEvent_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      throwErrno(errno, "cannot wait for " + incoming_.string());
    }
    if (fds[1].revents & POLLIN) {
      std::uint64_t count = 0;
      [[maybe_unused]] ssize_t n = ::read(stopEvent_, &count, sizeof count);
      if (stop.stop_requested()) return false;
    }
    if (fds[0].revents & POLLIN) {
      alignas(inotify_event) char buffer[4096];
      while (::read(inotify_, buffer, sizeof buffer) > 0) {
      }
      return true;
    }
  }
}

std::size_t SpoolQueue::recoverDeadClaims() {
  LockFile lock(root_ / ".recover.lock");
  std::size_t recovered = 0;
  for (const std::string& claimedName : listFiles(claimed_)) {
    const auto [ownerText, name] = splitOwner(claimedName);
    const auto owner = ProcessIdentity::parse(ownerText);
    if (owner && owner->alive()) continue;
    Claim claim = readClaim(claimedName, name);
    const std::string who = owner ? "process " + std::to_string(owner->pid) : "an unknown process";
    if (!claim.message.malformedReason.empty()) {
      // Back as it was: the next claim reports it as malformed.
      if (renameNoReplace(claimed_ / claimedName, incoming_ / name)) ++recovered;
      continue;
    }
    if (putBack(claim, "the agent " + who + " that claimed it died", true)) ++recovered;
  }
  for (const std::string& tempName : listFiles(tmp_)) {
    const auto owner = ProcessIdentity::parse(splitOwner(tempName).first);
    if (!owner || !owner->alive()) ::unlink((tmp_ / tempName).c_str());
  }
  fsyncDirectory(incoming_);
  return recovered;
}

bool SpoolQueue::removeWaiting(const std::string& runId) {
  if (!isValidRunId(runId)) return false;
  const std::string suffix = "-" + runId + ".json";
  for (const std::string& name : listFiles(incoming_)) {
    if (!name.ends_with(suffix)) continue;
    // Take it out of incoming/ atomically (a claimer may race us), then delete it.
    const fs::path temp = tmp_ / tempName(name);
    if (!renameNoReplace(incoming_ / name, temp)) continue;
    ::unlink(temp.c_str());
    fsyncDirectory(incoming_);
    return true;
  }
  return false;
}

}  // namespace hangar::agent
