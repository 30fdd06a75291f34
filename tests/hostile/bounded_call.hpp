#pragma once
// Test helper (header only): runs a call in a forked child with a memory cap and a deadline, so a
// hostile input that blows the stack, eats memory or loops forever fails the test instead of the machine.

#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <string>
#include <thread>

namespace hangar::test {

/// How a bounded call ended: the text it returned (normally an error message), whether it finished
/// by itself, the signal that killed it (0 if none) and how long it took.
struct BoundedResult {
  bool finished = false;  ///< the child exited normally with status 0
  int signal = 0;         ///< e.g. SIGSEGV (stack overflow) or SIGKILL (deadline)
  bool timedOut = false;
  std::string text;
  std::chrono::milliseconds elapsed{0};

  std::string describe() const {
    return "finished=" + std::to_string(finished) + " signal=" + std::to_string(signal) +
           " timedOut=" + std::to_string(timedOut) + " elapsed=" + std::to_string(elapsed.count()) +
           "ms text=" + text.substr(0, 2000);
  }
};

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

/// Runs `call` in a forked child whose address space is capped at `memoryBytes` (not under ASan, which
/// reserves terabytes of shadow memory) and which is killed at `deadline`. The string `call` returns
/// (or the what() of the exception it throws) comes back in `text`. Only for calls that start no
/// threads of their own in the parent's name (fork copies just the calling thread).
inline BoundedResult runBounded(const std::function<std::string()>& call,
                                std::chrono::milliseconds deadline = std::chrono::seconds(30),
                                rlim_t memoryBytes = rlim_t(1) << 30) {
  int pipeFds[2];
  if (::pipe(pipeFds) != 0) return {false, 0, false, "pipe failed", {}};
  const auto start = std::chrono::steady_clock::now();
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipeFds[0]);
    if (!kAddressSanitizer) {
      rlimit limit{memoryBytes, memoryBytes};
      ::setrlimit(RLIMIT_AS, &limit);
    }
    std::string text;
    try {
      text = call();
    } catch (const std::exception& error) {
      text = error.what();
    } catch (...) {
      text = "unknown exception";
    }
    size_t written = 0;
    while (written < text.size()) {
      const ssize_t n = ::write(pipeFds[1], text.data() + written, text.size() - written);
      if (n <= 0) break;
      written += static_cast<size_t>(n);
    }
    ::_exit(0);
  }
  ::close(pipeFds[1]);
  BoundedResult result;
  int status = 0;
  for (;;) {
    char buffer[4096];
    pollfd fd{pipeFds[0], POLLIN, 0};
    const auto left = deadline - (std::chrono::steady_clock::now() - start);
    const int wait = static_cast<int>(
        std::max<long long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(left).count()));
    if (::poll(&fd, 1, wait) > 0) {
      const ssize_t n = ::read(pipeFds[0], buffer, sizeof buffer);
      if (n > 0) {
        result.text.append(buffer, static_cast<size_t>(n));
        continue;
      }
      break;  // EOF: the child exited (or closed the pipe)
    }
    if (std::chrono::steady_clock::now() - start >= deadline) {
      result.timedOut = true;
      ::kill(child, SIGKILL);
      break;
    }
  }
  ::close(pipeFds[0]);
  ::waitpid(child, &status, 0);
  result.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  result.finished = WIFEXITED(status) && WEXITSTATUS(status) == 0 && !result.timedOut;
  result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return result;
}

}  // namespace hangar::test
