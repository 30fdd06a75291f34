// scripts/install.sh puts the binary, the unit and the example configuration in place, and the
// installed unit passes `systemd-analyze verify`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/service_test_helper.hpp"

namespace hangar::test {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

TEST(ServiceInstallTest, InstallsBinaryUnitAndConfigurationAndTheUnitVerifies) {
  TempDir dir("hangar-install-test");
  const fs::path buildDir = fs::path(HANGAR_BINARY).parent_path().parent_path();
  CommandOptions options;
  options.env = {{"PREFIX", (dir.path() / "usr").string()},
                 {"SYSCONFDIR", (dir.path() / "etc").string()},
                 {"UNITDIR", (dir.path() / "units").string()},
                 {"NO_RELOAD", "1"}};
  auto result =
      run_command({std::string(HANGAR_SOURCE_DIR) + "/scripts/install.sh", buildDir.string()}, options);
  ASSERT_EQ(result.exit_code, 0) << result.describe();

  const fs::path binary = dir.path() / "usr" / "bin" / "hangar";
  auto version = run_command({binary.string(), "--version"});
  EXPECT_EQ(version.exit_code, 0) << version.describe();
  const std::string unit = read_file(dir.path() / "units" / "hangar.service");
  EXPECT_THAT(unit, HasSubstr("ExecStart=" + binary.string() + " run --config " +
                              (dir.path() / "etc" / "hangar" / "agent.yaml").string()));
  EXPECT_THAT(unit, HasSubstr("Type=notify"));
  // The example configuration is valid as installed, apart from paths this machine lacks.
  EXPECT_TRUE(fs::exists(dir.path() / "etc" / "hangar" / "agent.yaml"));

  // A second install keeps the edited configuration.
  std::ofstream(dir.path() / "etc" / "hangar" / "agent.yaml") << "slots: 7\n";
  result = run_command({std::string(HANGAR_SOURCE_DIR) + "/scripts/install.sh", buildDir.string()}, options);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_EQ(read_file(dir.path() / "etc" / "hangar" / "agent.yaml"), "slots: 7\n");
  EXPECT_TRUE(fs::exists(dir.path() / "etc" / "hangar" / "agent.yaml.example"));

  if (run_command({"sh", "-c", "command -v systemd-analyze"}).exit_code != 0)
    GTEST_SKIP() << "no systemd-analyze";
  auto verify =
      run_command({"systemd-analyze", "verify", (dir.path() / "units" / "hangar.service").string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.describe();
}

}  // namespace
}  // namespace hangar::test
