#pragma once
// Test helper (header only): a real OpenSSH `sshd` on 127.0.0.1 serving git repositories over SSH to the
// current user, with a generated host key and one generated client key in its own authorized_keys.

#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "runner/git_test_repo.hpp"
#include "tests/support/command.hpp"
#include "tests/support/free_port.hpp"

extern char** environ;

namespace hangar::test {

/// `sshd -D -e -f <own config> -p <free port>` listening on 127.0.0.1 only, public-key authentication
/// only, for the user running the tests (root logs in with a key only). Keys are ed25519 (OpenSSH's defaults
/// unchanged; Debian 12's libssh2 1.10 signs RSA with SHA-1 only, which OpenSSH 9 refuses). git-upload-pack
/// is found on sshd's default PATH. Killed on destruction.
class GitSshServer {
 public:
  static constexpr const char* kSshd = "/usr/sbin/sshd";

  explicit GitSshServer(std::filesystem::path dir) : dir_(std::move(dir)) {
    if (::access(kSshd, X_OK) != 0)
      throw std::runtime_error(std::string(kSshd) +
                               " is missing: install openssh-server (scripts/install-deps.sh)");
    std::filesystem::create_directories(dir_);
    keygen(hostKey());
    keygen(clientKey());
    keygen(otherKey());  // a key the server does not know
    std::filesystem::copy_file(clientKey().string() + ".pub", dir_ / "authorized_keys");
    ::chmod((dir_ / "authorized_keys").c_str(), 0600);
    // sshd started as root needs its privilege separation directory (systemd's RuntimeDirectory).
    if (::geteuid() == 0) std::filesystem::create_directories("/run/sshd");
    std::ofstream(dir_ / "sshd_config")
        << "ListenAddress 127.0.0.1\n"
        << "HostKey " << hostKey().string() << "\n"
        << "PidFile none\n"
        << "AuthorizedKeysFile " << (dir_ / "authorized_keys").string() << "\n"
        << "PasswordAuthentication no\n"
        << "KbdInteractiveAuthentication no\n"
        << "PubkeyAuthentication yes\n"
        << "PermitRootLogin prohibit-password\n"
        << "UsePAM no\n"
        << "StrictModes no\n"  // the temporary directory is under /tmp
        << "LogLevel VERBOSE\n";
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = pick_free_loopback_port();
      std::vector<std::string> args = {kSshd,
                                       "-D",
                                       "-e",
                                       "-f",
                                       (dir_ / "sshd_config").string(),
                                       "-p",
                                       std::to_string(port_),
                                       "-E",
                                       (dir_ / "sshd.log").string()};
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      if (posix_spawn(&pid_, kSshd, nullptr, nullptr, argv.data(), environ) != 0)
        throw std::runtime_error("cannot start sshd");
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (std::chrono::steady_clock::now() < deadline) {
        if (log().find("Server listening on 127.0.0.1") != std::string::npos) return;
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: the port was taken, or a real error
          pid_ = -1;
          break;
        }
        std::this_thread::sleep_for(
            std::chrono::milliseconds(20));  // waiting for a condition, with a deadline
      }
      stop();
    }
    throw std::runtime_error("sshd did not start on 127.0.0.1: " + log());
  }
  ~GitSshServer() { stop(); }
  GitSshServer(const GitSshServer&) = delete;
  GitSshServer& operator=(const GitSshServer&) = delete;

  /// `ssh://USER@127.0.0.1:PORT/ABSOLUTE-PATH` for a bare repository on this machine.
  std::string url(const std::filesystem::path& repository) const {
    return "ssh://" + user() + "@127.0.0.1:" + std::to_string(port_) + repository.string();
  }
  std::filesystem::path clientKey() const { return dir_ / "client_ed25519"; }
  std::filesystem::path otherKey() const { return dir_ / "other_ed25519"; }
  /// The host key's fingerprint, "SHA256:<base64>", as `ssh-keygen -lf` prints it.
  std::string hostKeyFingerprint() const {
    std::string out =
        run_checked({"ssh-keygen", "-l", "-E", "sha256", "-f", hostKey().string() + ".pub"}).out;
    const auto start = out.find("SHA256:");
    return out.substr(start, out.find(' ', start) - start);
  }
  /// A fingerprint of a key that is not this server's.
  std::string otherFingerprint() const {
    std::string out =
        run_checked({"ssh-keygen", "-l", "-E", "sha256", "-f", otherKey().string() + ".pub"}).out;
    const auto start = out.find("SHA256:");
    return out.substr(start, out.find(' ', start) - start);
  }
  std::string log() const {
    std::ifstream in(dir_ / "sshd.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  static std::string user() {
    const passwd* entry = ::getpwuid(::geteuid());
    if (entry == nullptr) throw std::runtime_error("the test's user has no passwd entry");
    return entry->pw_name;
  }

 private:
  std::filesystem::path hostKey() const { return dir_ / "host_ed25519"; }
  static void keygen(const std::filesystem::path& key) {
    run_checked({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hangar-test", "-f", key.string()});
  }
  void stop() { stop_child(pid_); }
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace hangar::test
