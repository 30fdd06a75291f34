#include "runner/process_launcher.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace hangar::runner {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// Collects a child's output and lets the test wait (with a deadline) until some text arrived.
class Collector {
 public:
  OutputHandler handler() {
    return [this](std::string_view chunk) {
      std::lock_guard lock(mutex_);
      text_.append(chunk);
      ++chunks_;
      arrived_.notify_all();
    };
  }
  bool waitFor(std::string_view needle, std::chrono::milliseconds limit = 10s) {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, limit, [&] { return text_.find(needle) != std::string::npos; });
  }
  std::string text() {
    std::lock_guard lock(mutex_);
    return text_;
  }
  size_t chunks() {
    std::lock_guard lock(mutex_);
    return chunks_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::string text_;
  size_t chunks_ = 0;
};

/// A private scratch directory, removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "hangar-launcher-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path fifo(const std::string& name) const {
    auto file = path_ / name;
    if (::mkfifo(file.c_str(), 0600) != 0) throw std::runtime_error("mkfifo failed");
    return file;
  }

 private:
  std::filesystem::path path_;
};

/// Opens a fifo for writing once the child has opened it for reading, then writes `text` and closes it.
::testing::AssertionResult writeFifo(const std::filesystem::path& fifo, std::string_view text) {
  const auto deadline = Clock::now() + 10s;
  int fd = -1;
  while ((fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK)) < 0) {
    if (errno != ENXIO) return ::testing::AssertionFailure() << "open " << fifo << ": " << errno;
    if (Clock::now() > deadline) return ::testing::AssertionFailure() << "no reader opened " << fifo;
    std::this_thread::sleep_for(5ms);  // waiting for a condition, with a deadline
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written) return ::testing::AssertionFailure() << "short write to " << fifo;
  return ::testing::AssertionSuccess();
}

bool groupGone(int pgid) { return ::kill(-pgid, 0) == -1 && errno == ESRCH; }

ProcessSpec shell(std::string script) { return ProcessSpec{{"sh", "-c", std::move(script)}, {}, {}, {}}; }

class ProcessLauncherTest : public ::testing::Test {
 protected:
  std::unique_ptr<ProcessLauncher> launcher = makeSystemProcessLauncher();
  Collector output;
};

TEST_F(ProcessLauncherTest, OutputStreamsWhileTheChildIsStillRunning) {
  ScratchDir dir;
  const auto fifo = dir.fifo("go");
  ProcessSpec spec{
      {"sh", "-c", "printf ready; read line < \"$0\"; echo \" got $line\"", fifo.string()}, {}, {}, {}};
  auto process = launcher->start(spec, output.handler());
  // "ready" has no newline: nothing may wait for a full line before handing it over.
  ASSERT_TRUE(output.waitFor("ready"));
  EXPECT_TRUE(process->running());
  EXPECT_EQ(output.text(), "ready");
  ASSERT_TRUE(writeFifo(fifo, "go\n"));
  const auto result = process->wait(std::nullopt, {});
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(output.text(), "ready got go\n");
  EXPECT_FALSE(process->running());
}

TEST_F(ProcessLauncherTest, ReportsExitCodes) {
  EXPECT_EQ(launcher->run(shell("exit 0"), output.handler()).exitCode, 0);
  const auto failed = launcher->run(shell("exit 3"), output.handler());
  EXPECT_EQ(failed.exitCode, 3);
  EXPECT_FALSE(failed.ok());
  EXPECT_FALSE(failed.timedOut);
  EXPECT_TRUE(failed.error.empty());
}

TEST_F(ProcessLauncherTest, ExitBySignalIs128PlusTheSignal) {
  EXPECT_EQ(launcher->run(shell("kill -KILL $$"), output.handler()).exitCode, 128 + SIGKILL);
  EXPECT_EQ(launcher->run(shell("kill -TERM $$"), output.handler()).exitCode, 128 + SIGTERM);
}

TEST_F(ProcessLauncherTest, MergesStdoutAndStderr) {
  const auto result = launcher->run(shell("echo out; echo err >&2; echo out2"), output.handler());
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_EQ(output.text(), "out\nerr\nout2\n");
}

TEST_F(ProcessLauncherTest, EnvironmentIsInheritedWithOverrides) {
  ::setenv("HANGAR_LAUNCHER_KEPT", "kept", 1);
  ::setenv("HANGAR_LAUNCHER_REPLACED", "old", 1);
  auto spec = shell("echo \"$HANGAR_LAUNCHER_KEPT $HANGAR_LAUNCHER_REPLACED $HANGAR_LAUNCHER_ADDED\"");
  spec.env = {{"HANGAR_LAUNCHER_REPLACED", "new"}, {"HANGAR_LAUNCHER_ADDED", "a=b c"}};
  EXPECT_EQ(launcher->run(spec, output.handler()).exitCode, 0);
  EXPECT_EQ(output.text(), "kept new a=b c\n");
  // Our own environment is unchanged.
  EXPECT_STREQ(::getenv("HANGAR_LAUNCHER_REPLACED"), "old");
  EXPECT_EQ(::getenv("HANGAR_LAUNCHER_ADDED"), nullptr);
}

TEST_F(ProcessLauncherTest, StdinDataReachesTheChildAndIsThenClosed) {
  ProcessSpec spec{{"cat"}, {}, {}, std::string("line one\nsecret value\n")};
  const auto result = launcher->run(spec, output.handler(), 10s);
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(output.text(), "line one\nsecret value\n");
}

TEST_F(ProcessLauncherTest, LargeStdinIsWrittenCompletely) {
  ProcessSpec spec{{"wc", "-c"}, {}, {}, std::string(3 * 1024 * 1024, 'x')};
  EXPECT_TRUE(launcher->run(spec, output.handler(), 20s).ok());
  EXPECT_EQ(output.text().substr(output.text().find_first_not_of(' ')), "3145728\n");
}

TEST_F(ProcessLauncherTest, ChildThatIgnoresItsStdinDoesNotBreakUs) {
  ProcessSpec spec{{"true"}, {}, {}, std::string(1024 * 1024, 'x')};
  const auto result = launcher->run(spec, output.handler(), 10s);
  EXPECT_TRUE(result.ok()) << result.error;
}

TEST_F(ProcessLauncherTest, WithoutStdinDataStdinIsEmpty) {
  EXPECT_TRUE(launcher->run(ProcessSpec{{"cat"}, {}, {}, {}}, output.handler(), 10s).ok());
  EXPECT_EQ(output.text(), "");
}

TEST_F(ProcessLauncherTest, RunsInTheWorkingDirectory) {
  ScratchDir dir;
  ProcessSpec spec{{"pwd"}, {}, dir.path(), {}};
  EXPECT_TRUE(launcher->run(spec, output.handler()).ok());
  EXPECT_EQ(output.text(), std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST_F(ProcessLauncherTest, SearchesThePathTheSpecSets) {
  ScratchDir dir;
  {
    std::ofstream script(dir.path() / "hangar-fake-tool");
    script << "#!/bin/sh\necho \"fake $1\"\n";
  }
  std::filesystem::permissions(dir.path() / "hangar-fake-tool", std::filesystem::perms::owner_all);
  ProcessSpec spec{{"hangar-fake-tool", "x y"}, {{"PATH", dir.path().string() + ":/usr/bin:/bin"}}, {}, {}};
  const auto result = launcher->run(spec, output.handler());
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(output.text(), "fake x y\n");
}

TEST_F(ProcessLauncherTest, MissingBinaryIsAnErrorNotAnException) {
  const auto result =
      launcher->run(ProcessSpec{{"hangar-no-such-binary", "a"}, {}, {}, {}}, output.handler());
  EXPECT_EQ(result.error, "cannot start 'hangar-no-such-binary': No such file or directory");
  EXPECT_FALSE(result.ok());

  const auto withSlash =
      launcher->run(ProcessSpec{{"/nonexistent/hangar-tool"}, {}, {}, {}}, output.handler());
  EXPECT_EQ(withSlash.error, "cannot start '/nonexistent/hangar-tool': No such file or directory");

  const auto noDir = launcher->run(ProcessSpec{{"true"}, {}, "/nonexistent-dir", {}}, output.handler());
  EXPECT_EQ(noDir.error, "cannot start 'true': working directory '/nonexistent-dir' does not exist");

  EXPECT_FALSE(launcher->run(ProcessSpec{}, output.handler()).error.empty());
}

TEST_F(ProcessLauncherTest, TimeoutKillsTheWholeProcessGroup) {
  auto process = launcher->start(shell("sleep 100 & echo \"started $!\"; sleep 100; wait"), output.handler());
  ASSERT_TRUE(output.waitFor("\n"));
  const int background = std::stoi(output.text().substr(std::string("started ").size()));
  ASSERT_EQ(::kill(background, 0), 0) << "the background sleep runs";
  const auto begin = Clock::now();
  const auto result = process->wait(200ms, {});
  EXPECT_TRUE(result.timedOut);
  EXPECT_FALSE(result.canceled);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.exitCode, 128 + SIGTERM);
  EXPECT_LT(Clock::now() - begin, 1500ms) << "SIGTERM was enough: no SIGKILL grace needed";
  EXPECT_TRUE(groupGone(process->pid()));
  EXPECT_TRUE(::kill(background, 0) == -1 && errno == ESRCH);
}

TEST_F(ProcessLauncherTest, KillEscalatesToSigkillAfterTheGrace) {
  // An ignored SIGTERM is inherited by the sleep, too.
  auto process =
      launcher->start(shell("trap '' TERM; sleep 100 & echo started; sleep 100"), output.handler());
  ASSERT_TRUE(output.waitFor("started"));
  const auto begin = Clock::now();
  process->kill(300ms);
  EXPECT_GE(Clock::now() - begin, 300ms);
  EXPECT_FALSE(process->running());
  EXPECT_TRUE(groupGone(process->pid()));
  EXPECT_EQ(process->wait(std::nullopt, {}).exitCode, 128 + SIGKILL);
}

TEST_F(ProcessLauncherTest, StopTokenCancelsAndKillsTheGroup) {
  auto process = launcher->start(shell("sleep 100 & echo started; sleep 100; wait"), output.handler());
  std::stop_source stop;
  auto waiting =
      std::async(std::launch::async, [&] { return process->wait(std::nullopt, stop.get_token()); });
  ASSERT_TRUE(output.waitFor("started"));
  EXPECT_EQ(waiting.wait_for(0ms), std::future_status::timeout);
  stop.request_stop();
  ASSERT_EQ(waiting.wait_for(10s), std::future_status::ready);
  const auto result = waiting.get();
  EXPECT_TRUE(result.canceled);
  EXPECT_FALSE(result.timedOut);
  EXPECT_TRUE(groupGone(process->pid()));
}

TEST_F(ProcessLauncherTest, StopRequestedBeforeWaitCancelsAtOnce) {
  std::stop_source stop;
  stop.request_stop();
  const auto result = launcher->run(shell("sleep 100"), output.handler(), std::nullopt, stop.get_token());
  EXPECT_TRUE(result.canceled);
  EXPECT_EQ(result.exitCode, 128 + SIGTERM);
}

TEST_F(ProcessLauncherTest, ChildThatClosesItsOutputIsStillWaitedFor) {
  ScratchDir dir;
  const auto fifo = dir.fifo("go");
  ProcessSpec spec{{"sh", "-c", "exec >&- 2>&-; read line < \"$0\"; exit 4", fifo.string()}, {}, {}, {}};
  auto process = launcher->start(spec, output.handler());
  // The child opens the fifo only after closing its output.
  ASSERT_TRUE(writeFifo(fifo, "go\n"));
  const auto result = process->wait(10s, {});
  EXPECT_FALSE(result.timedOut);
  EXPECT_EQ(result.exitCode, 4);
}

TEST_F(ProcessLauncherTest, TheGroupEndsWithItsLeader) {
  // The background sleep holds the output pipe open: it must neither block wait() nor survive.
  auto process = launcher->start(shell("sleep 100 & echo \"started $!\""), output.handler());
  const auto begin = Clock::now();
  const auto result = process->wait(20s, {});
  EXPECT_LT(Clock::now() - begin, 1500ms);
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_FALSE(result.timedOut);
  EXPECT_TRUE(groupGone(process->pid()));
  const int background = std::stoi(output.text().substr(std::string("started ").size()));
  EXPECT_TRUE(::kill(background, 0) == -1 && errno == ESRCH);
}

TEST_F(ProcessLauncherTest, EscapedProcessHoldingTheOutputDoesNotBlockWaitForLong) {
  // setsid leaves our group, so the group kill misses it; wait() stops reading after a short drain.
  // The leader exits only once the escapee has left the group (it says so through the fifo).
  ScratchDir dir;
  const auto fifo = dir.fifo("escaped");
  ProcessSpec spec{
      {"sh", "-c",
       "setsid sh -c 'echo \"started $$\"; echo x > \"$0\"; exec sleep 100' \"$0\" & read x < \"$0\"",
       fifo.string()},
      {},
      {},
      {}};
  auto process = launcher->start(spec, output.handler());
  const auto begin = Clock::now();
  const auto result = process->wait(20s, {});
  EXPECT_LT(Clock::now() - begin, 5s);
  EXPECT_EQ(result.exitCode, 0);
  ASSERT_TRUE(output.waitFor("\n", 0ms));
  const int escaped = std::stoi(output.text().substr(std::string("started ").size()));
  EXPECT_EQ(::kill(escaped, SIGKILL), 0);
}

TEST_F(ProcessLauncherTest, LargeOutputIsDeliveredCompletely) {
  constexpr size_t size = 10 * 1024 * 1024;
  size_t total = 0;
  bool allZero = true;
  const auto result = launcher->run(
      ProcessSpec{{"head", "-c", std::to_string(size), "/dev/zero"}, {}, {}, {}},
      [&](std::string_view chunk) {
        total += chunk.size();
        allZero = allZero && std::all_of(chunk.begin(), chunk.end(), [](char c) { return c == '\0'; });
      });
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(total, size);
  EXPECT_TRUE(allZero);
}

TEST_F(ProcessLauncherTest, HandlerExceptionIsRethrownByWait) {
  auto process =
      launcher->start(shell("echo hello"), [](std::string_view) { throw std::runtime_error("sink full"); });
  EXPECT_THROW(process->wait(10s, {}), std::runtime_error);
}

TEST_F(ProcessLauncherTest, DestroyingARunningProcessKillsItsGroup) {
  int pgid = -1;
  {
    auto process = launcher->start(shell("sleep 100 & echo started; sleep 100"), output.handler());
    ASSERT_TRUE(output.waitFor("started"));
    pgid = process->pid();
  }
  EXPECT_TRUE(groupGone(pgid));
}

}  // namespace
}  // namespace hangar::runner
