// Checks the shared test helpers themselves: commands, temp dirs, a real registry, busybox images.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/busybox_image.hpp"
#include "tests/support/command.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/stand_in_images.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

/// True once process `pid` is gone or a zombie, waiting up to `limit`.
bool process_ends_within(int pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  const auto stat = std::filesystem::path("/proc") / std::to_string(pid) / "stat";
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(stat);
    std::string line;
    if (!in || !std::getline(in, line)) return true;
    const auto state = line.find(") ");
    if (state != std::string::npos && line[state + 2] == 'Z') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(CommandTest, CapturesOutputErrorAndExitCode) {
  const auto result = run_command({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out, "out\n");
  EXPECT_EQ(result.err, "err\n");
  EXPECT_FALSE(result.timed_out);
}

TEST(CommandTest, PassesInputEnvironmentAndDirectory) {
  TempDir dir;
  CommandOptions options;
  options.cwd = dir.path();
  options.env["HANGAR_SUPPORT_TEST"] = "value";
  options.input = "from stdin";
  const auto result = run_command({"sh", "-c", "pwd; echo $HANGAR_SUPPORT_TEST; cat"}, options);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_EQ(result.out, std::filesystem::canonical(dir.path()).string() + "\nvalue\nfrom stdin");
}

TEST(CommandTest, KillsTheWholeGroupAtTheTimeout) {
  CommandOptions options;
  options.timeout = std::chrono::milliseconds(500);
  const auto result = run_command({"sh", "-c", "sleep 60 & echo $!; wait"}, options);
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.signal, SIGTERM);
  const int grandchild = std::stoi(result.out);
  EXPECT_TRUE(process_ends_within(grandchild, std::chrono::seconds(5)))
      << "pid " << grandchild << " survived";
}

TEST(CommandTest, ReportsAProgramThatCannotStartOrFails) {
  EXPECT_THROW(run_command({"hangar-no-such-program"}), std::runtime_error);
  EXPECT_THROW(run_checked({"false"}), std::runtime_error);
}

TEST(TempDirTest, RemovesItsContentWhenDestroyed) {
  std::filesystem::path path;
  {
    TempDir dir;
    path = dir.path();
    const auto file = dir.write("a/b.txt", "content");
    EXPECT_EQ(read_file(file), "content");
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(LocalRegistryTest, AnswersOnLoopbackUntilDestroyed) {
  std::string url;
  {
    LocalRegistry registry;
    url = registry.url();
    EXPECT_THAT(registry.host(), StartsWith("127.0.0.1:"));
    EXPECT_THAT(registry.catalog(), IsEmpty());
    EXPECT_THAT(registry.tags("nothing/here"), IsEmpty());
  }
  EXPECT_THROW(http_request("GET", url + "/v2/"), std::runtime_error);
}

TEST(LocalRegistryTest, TwoRegistriesGetDifferentPorts) {
  LocalRegistry first;
  LocalRegistry second;
  EXPECT_NE(first.port(), second.port());
}

TEST(BusyboxImageTest, TellsStaticFromDynamicExecutables) {
  EXPECT_TRUE(is_statically_linked(static_busybox()));
  EXPECT_FALSE(is_statically_linked("/bin/sh"));
  EXPECT_THROW(is_statically_linked("/etc/hostname"), std::runtime_error);
}

TEST(BusyboxImageTest, BuildsOnceThenPushesToTheRegistry) {
  LocalRegistry registry;
  const std::string local = build_busybox_image(hello_world_image());
  EXPECT_EQ(build_busybox_image(hello_world_image()), local) << "a second build must hit the cache";

  const std::string digest = push_image(local, registry.host() + "/mcr/hello-world:latest");
  EXPECT_THAT(digest, StartsWith("sha256:"));
  EXPECT_THAT(registry.catalog(), ElementsAre("mcr/hello-world"));
  EXPECT_THAT(registry.tags("mcr/hello-world"), ElementsAre("latest"));
  EXPECT_EQ(registry.manifest_digest("mcr/hello-world", "latest"), digest);
}

TEST(BusyboxImageTest, RemovesLocalImagesByPrefix) {
  const std::string local = build_busybox_image(busybox_base_image());
  auto tag = buildah_command();
  tag.insert(tag.end(),
             {"tag", local, "127.0.0.1:1/hangar-support-test/a:1", "127.0.0.1:1/hangar-support-test/b:2"});
  run_checked(tag);
  EXPECT_EQ(remove_local_images("127.0.0.1:1/hangar-support-test/"), 2);
  EXPECT_EQ(remove_local_images("127.0.0.1:1/hangar-support-test/"), 0);
  auto inspect = buildah_command();
  inspect.insert(inspect.end(), {"inspect", "--type", "image", local});
  EXPECT_EQ(run_command(inspect).exit_code, 0) << "the tagged image itself must stay";
}

TEST(BusyboxImageTest, HelloWorldStandInGreets) {
  const auto result = run_in_image(build_busybox_image(hello_world_image()), {"/hello"});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.out, HasSubstr("Hello from Docker!"));
}

TEST(BusyboxImageTest, BashStandInExecsArgumentsOrRunsShell) {
  const std::string image = build_busybox_image(bash_image());
  const auto exec = run_in_image(image, {"docker-entrypoint.sh", "echo", "hello", "world"});
  ASSERT_EQ(exec.exit_code, 0) << exec.describe();
  EXPECT_EQ(exec.out, "hello world\n");
  const auto shell = run_in_image(image, {"docker-entrypoint.sh", "-c", "echo $((6 * 7)); exit 4"});
  EXPECT_EQ(shell.exit_code, 4) << shell.describe();
  EXPECT_EQ(shell.out, "42\n");
  const auto bash = run_in_image(image, {"bash", "-c", "echo via bash"});
  EXPECT_EQ(bash.out, "via bash\n") << bash.describe();
}

TEST(BusyboxImageTest, CurlStandInFetchesFromTheNginxStandInsServer) {
  const std::string port = std::to_string(pick_free_loopback_port());
  // httpd serves the nginx stand-in's page layout; chroot isolation shares the host's loopback.
  const std::string script =
      "mkdir -p /tmp/www && echo 'Welcome to nginx!' > /tmp/www/index.html && "
      "httpd -f -p 127.0.0.1:" +
      port +
      " -h /tmp/www & server=$!; "
      "for i in $(seq 100); do curl -s --url http://127.0.0.1:" +
      port +
      "/ && break; sleep 0.1; done; "
      "kill $server";
  const auto result = run_in_image(build_busybox_image(curl_image()), {"sh", "-c", script});
  EXPECT_THAT(result.out, HasSubstr("Welcome to nginx!")) << result.describe();
}

TEST(BusyboxImageTest, PushesEveryMcrStandIn) {
  LocalRegistry registry;
  push_stand_ins(mcr_stand_ins(), registry.host() + "/mcr");
  EXPECT_THAT(registry.tags("mcr/acr/bash"), ElementsAre("2ff604c"));
  EXPECT_THAT(registry.tags("mcr/oss/nginx/nginx"), ElementsAre("1.15.5-alpine"));
  EXPECT_THAT(registry.catalog().size(), 4u);
}

}  // namespace
}  // namespace hangar::test
