#include "runner/container_secret_env.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace hangar::runner {
namespace fs = std::filesystem;
namespace {

std::string keyOf(std::string_view entry) { return std::string(entry.substr(0, entry.find('='))); }

void setEnv(nlohmann::json& env, const std::vector<std::string>& entries) {
  if (!env.is_array()) env = nlohmann::json::array();
  for (const auto& entry : entries) {
    const std::string key = keyOf(entry);
    bool replaced = false;
    for (auto& existing : env) {
      if (existing.is_string() && keyOf(existing.get<std::string>()) == key) {
        existing = entry;
        replaced = true;
      }
    }
    if (!replaced) env.push_back(entry);
  }
}

void writeAll(int fd, const std::string& text, const fs::path& path) {
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "cannot write " + path.string());
    written += static_cast<size_t>(n);
  }
}

}  // namespace

SplitEnv splitSecretEnv(const std::vector<std::string>& env,
                        const std::function<bool(std::string_view value)>& holdsSecret) {
  // The last entry of each key is the one that counts; keep the order of those.
  std::map<std::string, size_t> last;
  for (size_t i = 0; i < env.size(); ++i) last[keyOf(env[i])] = i;
  SplitEnv split;
  for (size_t i = 0; i < env.size(); ++i) {
    if (last[keyOf(env[i])] != i) continue;
    const auto equals = env[i].find('=');
    const std::string_view value =
        equals == std::string::npos ? std::string_view() : std::string_view(env[i]).substr(equals + 1);
    (holdsSecret(value) ? split.hidden : split.onArgv).push_back(env[i]);
  }
  return split;
}

fs::path buildahContainerConfig(const fs::path& graphRoot, std::string_view driver,
                                std::string_view containerId) {
  return graphRoot / (std::string(driver) + "-containers") / std::string(containerId) / "userdata" /
         "buildah.json";
}

void setBuildahContainerEnv(const fs::path& configFile, const std::vector<std::string>& entries) {
  nlohmann::json config;
  {
    std::ifstream in(configFile);
    if (!in) throw std::runtime_error("cannot read the container config " + configFile.string());
    try {
      config = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error("cannot parse the container config " + configFile.string() + ": " + e.what());
    }
  }
  bool found = false;
  for (const char* format : {"ociv1", "docker"}) {
    if (!config.contains(format) || !config[format].is_object()) continue;
    setEnv(config[format]["config"]["Env"], entries);
    found = true;
  }
  if (!found)
    throw std::runtime_error("the container config " + configFile.string() + " has no image config");

  struct stat info {};
  if (::stat(configFile.c_str(), &info) != 0)
    throw std::system_error(errno, std::generic_category(), "cannot stat " + configFile.string());
  const fs::path temporary = configFile.string() + ".hangar-tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create " + temporary.string());
  try {
    writeAll(fd, config.dump(), temporary);
    if (::fchmod(fd, info.st_mode & 07777) != 0 || ::fsync(fd) != 0)
      throw std::system_error(errno, std::generic_category(), "cannot finish " + temporary.string());
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  if (::close(fd) != 0 || ::rename(temporary.c_str(), configFile.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    throw std::system_error(error, std::generic_category(), "cannot replace " + configFile.string());
  }
}

}  // namespace hangar::runner
