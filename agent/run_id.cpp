#include "agent/run_id.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "agent/state_dir.hpp"

namespace hangar::agent {
namespace {

constexpr std::string_view kBase36 = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr std::size_t kMaxPrefixLength = 8;

bool isLowerLetter(char c) { return c >= 'a' && c <= 'z'; }

// Closes a file descriptor (which also releases its flock) when the scope ends.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void fail(const std::filesystem::path& file, std::string_view what) {
  throw std::runtime_error("run id counter " + file.string() + ": " + std::string(what) + ": " +
                           std::strerror(errno));
}

}  // namespace

std::string formatRunId(std::string_view prefix, std::uint64_t counter) {
  std::string digits;
  do {
    digits.insert(digits.begin(), kBase36[counter % 36]);
    counter /= 36;
  } while (counter > 0);
  std::string id(prefix);
  id += kBase36[digits.size() - 1];  // at most 13 digits for 64 bits, so the marker is one character
  id += digits;
  return id;
}

std::string runIdPrefixFromHostName(std::string_view hostName) {
  std::string prefix;
  for (const char c : hostName) {
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (isLowerLetter(lower)) prefix += lower;
    if (prefix.size() == 2) return prefix;
  }
  prefix.resize(2, 'x');
  return prefix;
}

std::string defaultRunIdPrefix() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return runIdPrefixFromHostName("");
  return runIdPrefixFromHostName(name);
}

RunIdGenerator::RunIdGenerator(std::filesystem::path stateDir, std::string prefix)
    : stateDir_(std::move(stateDir)), prefix_(prefix.empty() ? defaultRunIdPrefix() : std::move(prefix)) {
  if (prefix_.size() > kMaxPrefixLength || !std::all_of(prefix_.begin(), prefix_.end(), isLowerLetter))
    throw std::invalid_argument("run id prefix \"" + prefix_ + "\" must be 1 to 8 lowercase letters a-z");
}

std::string RunIdGenerator::next() {
  try {
    makePrivateStateDir(stateDir_);
  } catch (const std::filesystem::filesystem_error& e) {
    throw std::runtime_error("cannot create state directory " + stateDir_.string() + ": " +
                             e.code().message());
  }
  const auto file = stateDir_ / kCounterFile;

  const FileDescriptor fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) fail(file, "open");
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) fail(file, "lock");
  }

  std::string text;
  char buffer[64];
  for (ssize_t n; (n = ::pread(fd.get(), buffer, sizeof buffer, static_cast<off_t>(text.size()))) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(file, "read");
    }
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > 64) break;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();

  std::uint64_t last = 0;
  if (!text.empty()) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), last);
    if (error != std::errc() || end != text.data() + text.size())
      throw std::runtime_error("run id counter " + file.string() + " does not hold a number");
  }
  if (last == std::numeric_limits<std::uint64_t>::max())
    throw std::runtime_error("run id counter " + file.string() + " is exhausted");
  const std::uint64_t counter = last + 1;

  // Written over the old value without truncating first: the number never gets shorter, so no old
  // character survives, and a crash cannot leave an empty file that would restart the count.
  const std::string updated = std::to_string(counter) + "\n";
  for (std::size_t written = 0; written < updated.size();) {
    const ssize_t n =
        ::pwrite(fd.get(), updated.data() + written, updated.size() - written, static_cast<off_t>(written));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(file, "write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) fail(file, "fsync");
  return formatRunId(prefix_, counter);
}

}  // namespace hangar::agent
