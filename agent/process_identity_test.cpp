#include "agent/process_identity.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace hangar::agent {
namespace {

TEST(ProcessIdentity, ThisProcessIsAlive) {
  const ProcessIdentity me = ProcessIdentity::self();
  EXPECT_EQ(me.pid, getpid());
  EXPECT_GT(me.startTime, 0u);
  EXPECT_TRUE(me.alive());
  EXPECT_EQ(ProcessIdentity::of(getpid()), me);
}

TEST(ProcessIdentity, AReusedPidIsNotTheSameProcess) {
  ProcessIdentity other = ProcessIdentity::self();
  other.startTime += 1;
  EXPECT_FALSE(other.alive());
}

TEST(ProcessIdentity, AnExitedChildIsGoneEvenAsAZombie) {
  int pipeFds[2];
  ASSERT_EQ(pipe(pipeFds), 0);
  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    char go = 0;
    close(pipeFds[1]);
    [[maybe_unused]] ssize_t n = read(pipeFds[0], &go, 1);  // wait for the parent to look at us
    _exit(0);
  }
  close(pipeFds[0]);
  const auto running = ProcessIdentity::of(child);
  ASSERT_TRUE(running);
  EXPECT_TRUE(running->alive());
  close(pipeFds[1]);  // the child reads EOF and exits

  // Wait until it has exited but leave it unreaped: a zombie.
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT), 0);
  EXPECT_FALSE(running->alive()) << "a zombie counts as gone";
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  EXPECT_FALSE(running->alive());
  EXPECT_EQ(ProcessIdentity::of(child), std::nullopt);
}

TEST(ProcessIdentity, TextForm) {
  const ProcessIdentity me = ProcessIdentity::self();
  EXPECT_EQ(ProcessIdentity::parse(me.str()), me);
  EXPECT_EQ(ProcessIdentity::parse("12.345"), (ProcessIdentity{12, 345}));
  for (const char* bad : {"", "12", "12.", ".5", "a.5", "12.5x", "-3.5", "0.5"})
    EXPECT_EQ(ProcessIdentity::parse(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace hangar::agent
