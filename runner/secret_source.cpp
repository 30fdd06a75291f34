#include "runner/secret_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace hangar::runner {
namespace {

constexpr std::size_t kMaxSecretBytes = std::size_t(1) << 20;

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& reason) {
  throw std::runtime_error("secret file '" + path.string() + "': " + reason);
}

/// Closes a descriptor when the reader is done, however it ends.
struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string readSecretFile(const std::filesystem::path& path) {
  // O_NONBLOCK: a FIFO named by mistake must not block the agent; it is refused below.
  FileDescriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)};
  if (file.fd < 0) fail(path, std::strerror(errno));
  struct stat info {};
  if (::fstat(file.fd, &info) != 0) fail(path, std::strerror(errno));
  if (!S_ISREG(info.st_mode)) fail(path, "not a regular file");
  if (info.st_uid != ::geteuid() && info.st_uid != 0)
    fail(path, "owned by uid " + std::to_string(info.st_uid) + ", not by the agent's user or root");
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    fail(path, std::string("mode ") + mode +
                   " lets others read it; make it readable by its owner only (chmod 600)");
  }
  if (static_cast<std::size_t>(info.st_size) > kMaxSecretBytes) fail(path, "larger than 1 MiB");
  std::string value;
  char buffer[8192];
  for (;;) {
    const ssize_t got = ::read(file.fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail(path, std::strerror(errno));
    if (got == 0) break;
    value.append(buffer, static_cast<std::size_t>(got));
    if (value.size() > kMaxSecretBytes) fail(path, "larger than 1 MiB");
  }
  return value;
}

std::string readPasswordFile(const std::filesystem::path& path) {
  std::string value = readSecretFile(path);
  if (value.ends_with('\n')) value.pop_back();
  if (value.ends_with('\r')) value.pop_back();
  return value;
}

std::string readSecretEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) throw std::runtime_error("environment variable " + name + " is not set");
  if (*value == '\0') throw std::runtime_error("environment variable " + name + " is empty");
  return value;
}

}  // namespace hangar::runner
