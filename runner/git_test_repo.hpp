#pragma once
// Test helpers (header only, so not part of hangar_runner): real repositories made with the git CLI, and a
// `git daemon` on 127.0.0.1.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/command.hpp"
#include "tests/support/free_port.hpp"

extern char** environ;

namespace hangar::test {

/// Runs git with a fixed identity in `cwd`; returns trimmed stdout; throws on failure.
inline std::string git(const std::filesystem::path& cwd, std::vector<std::string> args) {
  args.insert(args.begin(),
              {"git", "-c", "user.name=Hangar Test", "-c", "user.email=test@hangar.invalid", "-c",
               "protocol.file.allow=always", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"});
  CommandOptions options;
  options.cwd = cwd;
  options.env = {{"GIT_CONFIG_GLOBAL", "/dev/null"}, {"GIT_CONFIG_NOSYSTEM", "1"}};
  std::string out = run_checked(args, options).out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

/// Stops a server the test spawned (SIGTERM) and reaps it; `pid` becomes -1. Nothing when it is not running.
inline void stop_child(pid_t& pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  pid = -1;
}

/// A bare repository `<dir>/<name>.git` fed from a working clone `<dir>/<name>-work`.
class GitTestRepo {
 public:
  GitTestRepo(std::filesystem::path dir, std::string name) : dir_(std::move(dir)), name_(std::move(name)) {
    std::filesystem::create_directories(work());
    git(dir_, {"init", "--bare", "-b", "main", bare().string()});
    git(work(), {"init", "-b", "main"});
    git(work(), {"remote", "add", "origin", bare().string()});
  }
  std::filesystem::path bare() const { return dir_ / (name_ + ".git"); }
  std::filesystem::path work() const { return dir_ / (name_ + "-work"); }
  std::string fileUrl() const { return "file://" + bare().string(); }

  /// Writes `file` (relative) with `content`, commits everything, returns the new commit's SHA.
  std::string commit(const std::string& file, const std::string& content,
                     const std::string& message = "change") {
    std::filesystem::path path = work() / file;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << content;
    git(work(), {"add", "-A"});
    git(work(), {"commit", "-q", "-m", message});
    return git(work(), {"rev-parse", "HEAD"});
  }
  void push(const std::string& what = "--all") {
    git(work(), {"push", "-q", "origin", what});
    git(work(), {"push", "-q", "origin", "--tags"});
  }
  std::string run(std::vector<std::string> args) const { return git(work(), std::move(args)); }

 private:
  std::filesystem::path dir_;
  std::string name_;
};

/// `git daemon --export-all --base-path=<base>` on 127.0.0.1 (a free port); killed on destruction.
class GitDaemon {
 public:
  explicit GitDaemon(const std::filesystem::path& base) {
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = pick_free_loopback_port();
      std::vector<std::string> args = {"git",
                                       "daemon",
                                       "--export-all",
                                       "--reuseaddr",
                                       "--listen=127.0.0.1",
                                       "--port=" + std::to_string(port_),
                                       "--base-path=" + base.string(),
                                       base.string()};
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      if (posix_spawnp(&pid_, "git", nullptr, nullptr, argv.data(), environ) != 0)
        throw std::runtime_error("cannot start git daemon");
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (std::chrono::steady_clock::now() < deadline) {
        if (accepting()) return;
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) break;  // port taken: try another
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      stop();
    }
    throw std::runtime_error("git daemon did not start on 127.0.0.1");
  }
  ~GitDaemon() { stop(); }
  GitDaemon(const GitDaemon&) = delete;
  GitDaemon& operator=(const GitDaemon&) = delete;
  std::string url(const std::string& repo) const {
    return "git://127.0.0.1:" + std::to_string(port_) + "/" + repo;
  }

 private:
  bool accepting() const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
  }
  void stop() { stop_child(pid_); }
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace hangar::test
