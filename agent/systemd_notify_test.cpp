#include "agent/systemd_notify.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "tests/support/temp_dir.hpp"

namespace hangar::agent {
namespace {

TEST(SystemdNotify, SendsTheStateToTheNotifySocket) {
  test::TempDir dir;
  std::string path = (dir.path() / "notify").string();
  int server = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(server, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(bind(server, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);

  setenv("NOTIFY_SOCKET", path.c_str(), 1);
  EXPECT_TRUE(systemdNotify("READY=1\nSTATUS=running 0, queued 0"));
  char buffer[256] = {};
  ssize_t got = recv(server, buffer, sizeof buffer - 1, 0);
  EXPECT_EQ(std::string(buffer, got > 0 ? static_cast<std::size_t>(got) : 0),
            "READY=1\nSTATUS=running 0, queued 0");
  close(server);

  unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(systemdNotify("READY=1"));
}

TEST(SystemdNotify, WatchdogIntervalIsHalfOfWatchdogUsecForThisProcess) {
  setenv("WATCHDOG_USEC", "4000000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  EXPECT_EQ(systemdWatchdogInterval(), std::chrono::milliseconds(2000));
  setenv("WATCHDOG_PID", "1", 1);
  EXPECT_FALSE(systemdWatchdogInterval());
  unsetenv("WATCHDOG_PID");
  unsetenv("WATCHDOG_USEC");
  EXPECT_FALSE(systemdWatchdogInterval());
}

}  // namespace
}  // namespace hangar::agent
