#include "agent/durable_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <system_error>

namespace hangar::agent {

namespace {

[[noreturn]] void throwErrno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

/// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  /// close(2) with its error reported, for files whose write must be known to have succeeded.
  int release() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

}  // namespace

void writeNewFile(const std::filesystem::path& file, std::string_view content) {
  FileDescriptor fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) throwErrno(errno, "cannot create " + file.string());
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::unlink(file.c_str());
      throwErrno(error, "cannot write " + file.string());
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0 || fd.release() != 0) {
    const int error = errno;
    ::unlink(file.c_str());
    throwErrno(error, "cannot write " + file.string());
  }
}

bool renameNoReplace(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  int error = errno;
  if (error == ENOENT) return false;
  if (error != EINVAL && error != ENOSYS)
    throwErrno(error, "cannot move " + from.string() + " to " + to.string());
  // No RENAME_NOREPLACE here: link() never replaces. When two processes link the same file, only
  // one of them manages to unlink the source; the other takes its link back.
  if (::link(from.c_str(), to.c_str()) != 0) {
    error = errno;
    if (error == ENOENT) return false;
    throwErrno(error, "cannot move " + from.string() + " to " + to.string());
  }
  if (::unlink(from.c_str()) != 0) {
    error = errno;
    ::unlink(to.c_str());
    if (error == ENOENT) return false;
    throwErrno(error, "cannot move " + from.string() + " to " + to.string());
  }
  return true;
}

bool renameReplace(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  throwErrno(errno, "cannot move " + from.string() + " to " + to.string());
}

void fsyncDirectory(const std::filesystem::path& directory) {
  FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) throwErrno(errno, "cannot open " + directory.string());
  if (::fsync(fd.get()) != 0) throwErrno(errno, "cannot fsync " + directory.string());
}

std::string readRegularFile(const std::filesystem::path& file, std::size_t maxBytes) {
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ELOOP) throw std::runtime_error("it is a symbolic link, not a request file");
    throw std::runtime_error("cannot read it: " + std::generic_category().message(error));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) throwErrno(errno, "cannot stat " + file.string());
  if (!S_ISREG(info.st_mode)) throw std::runtime_error("it is not a regular file");
  if (static_cast<std::size_t>(info.st_size) > maxBytes)
    throw std::runtime_error("it has " + std::to_string(info.st_size) + " bytes, more than the limit of " +
                             std::to_string(maxBytes));
  std::string content(static_cast<std::size_t>(info.st_size), '\0');
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::read(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("cannot read it: " + std::generic_category().message(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  content.resize(done);
  return content;
}

}  // namespace hangar::agent
