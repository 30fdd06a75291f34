#include "runner/process_launcher.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <cerrno>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>

namespace hangar::runner {

namespace bp = boost::process;

namespace {

using Clock = std::chrono::steady_clock;

/// After the group leader exits normally, how long output is still read from the pipe: a process
/// it left behind may hold the pipe open and must not keep wait() from returning.
constexpr auto kDrainAfterExit = std::chrono::seconds(2);
/// How long a timed-out or canceled child has between SIGTERM and SIGKILL (the kill() default).
constexpr auto kKillGrace = std::chrono::milliseconds(2000);
/// After the group is killed, how long to wait until its last members are reaped.
constexpr auto kGroupGoneDeadline = std::chrono::seconds(5);

std::string errnoText(int error) { return std::generic_category().message(error); }

/// Owns one file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

/// Both ends of a close-on-exec pipe.
struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Pipe makePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void setNonBlocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
    throw std::system_error(errno, std::generic_category(), "fcntl(O_NONBLOCK)");
}

/// Runs in the forked child before exec: own process group, stdio from our pipes, default signal
/// handling, working directory, and every other inherited descriptor marked close-on-exec.
/// Only async-signal-safe calls here (the parent has other threads).
struct ChildSetup : bp::extend::handler {
  int stdinFd;
  int outputFd;
  const char* workingDirectory;  // nullptr = keep the parent's

  template <typename Executor>
  void on_exec_setup(Executor& exec) const {
    auto fail = [&exec](const char* what) {
      exec.set_error(std::error_code(errno, std::system_category()), what);
      ::_exit(127);
    };
    if (::setpgid(0, 0) != 0) fail("setpgid");
    if (::dup2(stdinFd, STDIN_FILENO) < 0 || ::dup2(outputFd, STDOUT_FILENO) < 0 ||
        ::dup2(outputFd, STDERR_FILENO) < 0)
      fail("dup2");
    if (workingDirectory != nullptr && ::chdir(workingDirectory) != 0) fail("chdir");
    // Ignored signals and the signal mask survive exec; a child must see SIGTERM and SIGPIPE.
    for (int sig = 1; sig < NSIG; ++sig) {
      if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
    }
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Close-on-exec rather than close: Boost's own error pipe must stay open until execve.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  }
};

/// A descriptor that becomes readable when `pid` exits. Through syscall(): Debian 12's
/// <sys/pidfd.h> lacks extern "C", so its pidfd_open() does not link from C++.
int openPidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

/// Sends `sig` to the process group; a group that no longer exists is not an error.
void signalGroup(pid_t pgid, int sig) {
  if (pgid > 0) ::kill(-pgid, sig);
}

bool groupExists(pid_t pgid) { return pgid > 0 && (::kill(-pgid, 0) == 0 || errno == EPERM); }

/// A process that could not be started: wait() reports why.
class FailedProcess : public RunningProcess {
 public:
  explicit FailedProcess(std::string error) : error_(std::move(error)) {}
  ProcessResult wait(std::optional<std::chrono::milliseconds>, std::stop_token) override {
    ProcessResult result;
    result.error = error_;
    return result;
  }
  bool running() override { return false; }
  void kill(std::chrono::milliseconds) override {}
  int pid() const override { return -1; }

 private:
  std::string error_;
};

/// A started child. One I/O thread per child polls its output pipe, its stdin pipe (while there
/// are bytes to write), a pidfd (readable when the child exits; the thread then reaps it) and an
/// eventfd used to stop the thread. wait() and kill() sleep on a condition variable that the I/O
/// thread signals.
class SystemProcess : public RunningProcess {
 public:
  SystemProcess(pid_t pid, UniqueFd pidfd, UniqueFd output, UniqueFd input, std::string inputData,
                OutputHandler handler)
      : pid_(pid),
        pidfd_(std::move(pidfd)),
        output_(std::move(output)),
        input_(std::move(input)),
        inputData_(std::move(inputData)),
        handler_(std::move(handler)),
        wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!wake_) throw std::system_error(errno, std::generic_category(), "eventfd");
    setNonBlocking(output_.get());
    if (input_) setNonBlocking(input_.get());
    io_ = std::thread([this] { pump(); });
  }

  ~SystemProcess() override {
    if (running()) kill(std::chrono::milliseconds(0));
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wakeIoThread();
    if (io_.joinable()) io_.join();
  }

  ProcessResult wait(std::optional<std::chrono::milliseconds> timeout, std::stop_token stop) override {
    bool stopRequested = false;
    // Registered before the lock is taken: the callback runs at once if stop was already requested.
    std::stop_callback onStop(stop, [&] {
      std::lock_guard lock(mutex_);
      stopRequested = true;
      changed_.notify_all();
    });
    ProcessResult result;
    {
      std::unique_lock lock(mutex_);
      auto ended = [&] { return exited_ || stopRequested; };
      if (timeout) {
        changed_.wait_until(lock, Clock::now() + *timeout, ended);
      } else {
        changed_.wait(lock, ended);
      }
      if (!exited_) {
        result.canceled = stopRequested;
        result.timedOut = !stopRequested;
      }
    }
    if (result.canceled || result.timedOut) kill(kKillGrace);
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return finished_; });
    if (handlerError_) std::rethrow_exception(std::exchange(handlerError_, nullptr));
    if (!ioError_.empty()) result.error = ioError_;
    result.exitCode = exitCode_;
    return result;
  }

  bool running() override {
    std::lock_guard lock(mutex_);
    return !exited_;
  }

  void kill(std::chrono::milliseconds grace) override {
    signalGroup(pid_, SIGTERM);
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, grace, [&] { return exited_; })) {
      signalGroup(pid_, SIGKILL);
      changed_.wait(lock, [&] { return exited_; });
    }
  }

  int pid() const override { return pid_; }

 private:
  /// The group ends with its leader, as a container's processes end with its main process:
  /// SIGKILL whatever is left and reap it (we are their subreaper), so that nothing of the group
  /// exists once exited_ is set. Without the subreaper, init reaps them: waits for that, bounded.
  void endGroup() {
    signalGroup(pid_, SIGKILL);
    const auto deadline = Clock::now() + kGroupGoneDeadline;
    for (;;) {
      while (::waitpid(-pid_, nullptr, WNOHANG) > 0) {
      }
      if (!groupExists(pid_) || Clock::now() > deadline) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  void wakeIoThread() {
    const uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_.get(), &one, sizeof one);
  }

  void deliver(std::string_view chunk) {
    if (handlerError_) return;  // keep draining so the child never blocks on a full pipe
    try {
      handler_(chunk);
    } catch (...) {
      handlerError_ = std::current_exception();
    }
  }

  void readOutput() {
    char buffer[65536];
    for (;;) {
      const ssize_t n = ::read(output_.get(), buffer, sizeof buffer);
      if (n > 0) {
        deliver(std::string_view(buffer, static_cast<size_t>(n)));
        if (static_cast<size_t>(n) < sizeof buffer) return;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      if (n < 0)
        setIoError(std::string("reading the output of pid ") + std::to_string(pid_) + ": " +
                   errnoText(errno));
      output_.reset();  // end of file (or an error): every writer is gone
      return;
    }
  }

  void writeInput() {
    while (inputOffset_ < inputData_.size()) {
      const ssize_t n =
          ::write(input_.get(), inputData_.data() + inputOffset_, inputData_.size() - inputOffset_);
      if (n > 0) {
        inputOffset_ += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      if (n < 0 && errno == EPIPE) {
        // The child closed its stdin: not an error. Consume the SIGPIPE this thread has blocked.
        sigset_t pipeSet;
        ::sigemptyset(&pipeSet);
        ::sigaddset(&pipeSet, SIGPIPE);
        const timespec zero{0, 0};
        ::sigtimedwait(&pipeSet, nullptr, &zero);
      } else if (n < 0) {
        setIoError(std::string("writing the stdin of pid ") + std::to_string(pid_) + ": " + errnoText(errno));
      }
      break;
    }
    input_.reset();  // all written (or the reader is gone): the child sees end of file
  }

  void reap() {
    int status = 0;
    pid_t r;
    do {
      r = ::waitpid(pid_, &status, 0);
    } while (r < 0 && errno == EINTR);
    int code = -1;
    if (r < 0) {
      setIoError("waiting for pid " + std::to_string(pid_) + ": " + errnoText(errno));
    } else if (WIFEXITED(status)) {
      code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      code = 128 + WTERMSIG(status);
    }
    pidfd_.reset();
    input_.reset();
    endGroup();
    std::lock_guard lock(mutex_);
    exitCode_ = code;
    exited_ = true;
    changed_.notify_all();
  }

  void setIoError(std::string message) {
    std::lock_guard lock(mutex_);
    if (ioError_.empty()) ioError_ = std::move(message);
  }

  void pump() {
    // Writes to a closed stdin must give EPIPE, not kill the whole program.
    sigset_t pipeSet;
    ::sigemptyset(&pipeSet);
    ::sigaddset(&pipeSet, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipeSet, nullptr);
    if (input_ && inputData_.empty()) input_.reset();

    std::optional<Clock::time_point> drainDeadline;
    while (pidfd_ || output_) {
      pollfd fds[4];
      nfds_t count = 0;
      auto add = [&](const UniqueFd& fd, short events) {
        if (!fd) return -1;
        fds[count] = pollfd{fd.get(), events, 0};
        return static_cast<int>(count++);
      };
      const int outputIndex = add(output_, POLLIN);
      const int inputIndex = add(input_, POLLOUT);
      const int exitIndex = add(pidfd_, POLLIN);
      const int wakeIndex = add(wake_, POLLIN);

      int timeoutMs = -1;
      if (drainDeadline) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(*drainDeadline - Clock::now());
        if (left.count() <= 0) break;
        timeoutMs = static_cast<int>(left.count());
      }
      const int ready = ::poll(fds, count, timeoutMs);
      if (ready < 0) {
        if (errno == EINTR) continue;
        setIoError("poll: " + errnoText(errno));
        break;
      }
      const short anyEvent = POLLIN | POLLOUT | POLLHUP | POLLERR;
      if (outputIndex >= 0 && (fds[outputIndex].revents & anyEvent)) readOutput();
      if (inputIndex >= 0 && input_ && (fds[inputIndex].revents & anyEvent)) writeInput();
      if (exitIndex >= 0 && (fds[exitIndex].revents & anyEvent)) {
        reap();
        drainDeadline = Clock::now() + kDrainAfterExit;
      }
      if (fds[wakeIndex].revents & POLLIN) {
        uint64_t value;
        [[maybe_unused]] auto n = ::read(wake_.get(), &value, sizeof value);
        std::lock_guard lock(mutex_);
        if (stopping_ && !pidfd_) break;
      }
    }
    if (pidfd_) reap();  // left the loop on an error: the child must still be reaped
    output_.reset();
    input_.reset();
    std::lock_guard lock(mutex_);
    finished_ = true;
    changed_.notify_all();
  }

  const pid_t pid_;  // also the process group id
  UniqueFd pidfd_;
  UniqueFd output_;
  UniqueFd input_;
  std::string inputData_;
  size_t inputOffset_ = 0;
  OutputHandler handler_;
  std::exception_ptr handlerError_;
  UniqueFd wake_;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool exited_ = false;    // the leader has been reaped
  bool finished_ = false;  // ... and the I/O thread is done: all output delivered
  bool stopping_ = false;
  int exitCode_ = -1;
  std::string ioError_;
  std::thread io_;
};

/// The PATH to search: the spec's own PATH when it sets one, else ours.
std::vector<boost::filesystem::path> searchDirectories(const ProcessSpec& spec) {
  const auto it = spec.env.find("PATH");
  if (it == spec.env.end()) return boost::this_process::path();
  std::vector<boost::filesystem::path> dirs;
  std::string_view rest = it->second;
  while (true) {
    const auto colon = rest.find(':');
    const auto dir = rest.substr(0, colon);
    dirs.emplace_back(dir.empty() ? "." : std::string(dir));
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return dirs;
}

class SystemProcessLauncher : public ProcessLauncher {
 public:
  std::unique_ptr<RunningProcess> start(const ProcessSpec& spec, OutputHandler output) override {
    if (spec.argv.empty()) return std::make_unique<FailedProcess>("cannot start a process: empty command");
    const std::string& name = spec.argv[0];
    const std::string prefix = "cannot start '" + name + "': ";
    boost::filesystem::path exe = name;
    if (name.find('/') == std::string::npos) {
      exe = bp::search_path(name, searchDirectories(spec));
      if (exe.empty()) return std::make_unique<FailedProcess>(prefix + errnoText(ENOENT));
    }
    if (!spec.workingDirectory.empty() && !std::filesystem::is_directory(spec.workingDirectory)) {
      return std::make_unique<FailedProcess>(prefix + "working directory '" + spec.workingDirectory.string() +
                                             "' does not exist");
    }

    Pipe out = makePipe();
    Pipe in;
    if (spec.stdinData) {
      in = makePipe();
    } else {
      in.read = UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
      if (!in.read) throw std::system_error(errno, std::generic_category(), "open /dev/null");
    }

    bp::environment env = boost::this_process::environment();  // a copy: ours stays unchanged
    // set(), not operator[]: Boost 1.74's environment::find reads past the end of shorter entries
    // (AddressSanitizer: heap-buffer-overflow); set() compares lengths first.
    for (const auto& [key, value] : spec.env) env.set(key, value);
    const std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());
    const std::string dir = spec.workingDirectory.string();
    ChildSetup setup;
    setup.stdinFd = in.read.get();
    setup.outputFd = out.write.get();
    setup.workingDirectory = dir.empty() ? nullptr : dir.c_str();

    std::error_code ec;
    bp::child child(bp::exe = exe.string(), bp::args = args, env, setup, ec);
    if (ec) return std::make_unique<FailedProcess>(prefix + ec.message());
    const pid_t pid = child.id();
    child.detach();  // we reap it ourselves (through the pidfd)

    UniqueFd pidfd(openPidfd(pid));
    if (!pidfd) {
      const int error = errno;
      signalGroup(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      return std::make_unique<FailedProcess>(prefix + "pidfd_open: " + errnoText(error));
    }
    in.read.reset();
    out.write.reset();
    return std::make_unique<SystemProcess>(pid, std::move(pidfd), std::move(out.read), std::move(in.write),
                                           spec.stdinData.value_or(""), std::move(output));
  }
};

}  // namespace

ProcessResult ProcessLauncher::run(const ProcessSpec& spec, OutputHandler output,
                                   std::optional<std::chrono::milliseconds> timeout, std::stop_token stop) {
  return start(spec, std::move(output))->wait(timeout, std::move(stop));
}

std::unique_ptr<ProcessLauncher> makeSystemProcessLauncher() {
  // Orphans of a group are then re-parented to us rather than to init, so we reap them at once:
  // an init that reaps slowly (or none, when Hangar is PID 1 in a container) cannot leave them
  // behind. Failing is not fatal: endGroup() then waits for init, bounded.
  static std::once_flag subreaper;
  std::call_once(subreaper, [] { ::prctl(PR_SET_CHILD_SUBREAPER, 1); });
  return std::make_unique<SystemProcessLauncher>();
}

}  // namespace hangar::runner
