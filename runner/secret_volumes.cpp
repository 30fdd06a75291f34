#include "runner/secret_volumes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "config/base64.hpp"

namespace hangar::runner {
namespace fs = std::filesystem;
namespace {

void makePrivateDirectory(const fs::path& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    throw std::system_error(errno, std::generic_category(), "cannot create " + path.string());
  if (fs::is_symlink(path) || !fs::is_directory(path))
    throw std::runtime_error("cannot create " + path.string() + ": not a directory");
  fs::permissions(path, fs::perms::owner_all);  // also when it existed, or the umask narrowed it
}

void writeExclusive(const fs::path& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create " + path.string());
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      throw std::system_error(error, std::generic_category(), "cannot write " + path.string());
    }
    written += static_cast<size_t>(n);
  }
  // The umask may have cleared bits of 0400 but never adds any; make it exact.
  if (::fchmod(fd, 0400) != 0 || ::close(fd) != 0)
    throw std::system_error(errno, std::generic_category(), "cannot finish " + path.string());
}

// A name that stays one directory entry: no separators, not "." or "..".
bool plainName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

}  // namespace

SecretVolumeFiles decodeSecretVolumes(const std::vector<config::VolumeSpec>& volumes) {
  SecretVolumeFiles decoded;
  for (const auto& volume : volumes) {
    auto& files = decoded[volume.name];
    if (!plainName(volume.name))
      throw std::invalid_argument("volume '" + volume.name + "': not a plain name");
    for (const auto& [file, encoded] : volume.secret) {
      if (!plainName(file)) {
        throw std::invalid_argument("volume '" + volume.name + "': file name '" + file +
                                    "' is not a plain file name");
      }
      auto bytes = config::decodeBase64(encoded);
      if (!bytes) {
        throw std::invalid_argument("volume '" + volume.name + "': the value of '" + file +
                                    "' is not valid base64");
      }
      files[file] = std::move(*bytes);
    }
  }
  return decoded;
}

std::vector<std::string> secretVolumeValues(const config::Task& task) {
  std::vector<std::string> values;
  for (const auto& volume : task.volumes) {
    for (const auto& [file, encoded] : volume.secret) {
      if (auto bytes = config::decodeBase64(encoded); bytes && !bytes->empty()) values.push_back(*bytes);
    }
  }
  return values;
}

std::map<std::string, fs::path> writeSecretVolumes(const fs::path& directory,
                                                   const SecretVolumeFiles& files) {
  std::map<std::string, fs::path> written;
  if (files.empty()) return written;
  makePrivateDirectory(directory);
  for (const auto& [volume, contents] : files) {
    const fs::path volumeDir = directory / volume;
    makePrivateDirectory(volumeDir);
    for (const auto& [file, bytes] : contents) writeExclusive(volumeDir / file, bytes);
    written[volume] = volumeDir;
  }
  return written;
}

}  // namespace hangar::runner
