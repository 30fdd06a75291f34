#include "runner/build_dependencies.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hangar::runner {
namespace {

using ::testing::ElementsAre;

std::string fakeDigest(const std::string& reference) { return "sha256:of-" + reference; }

TEST(BuildDockerfilePath, FileFlagIsRelativeToTheWorkingDirectoryElseTheContextsDockerfile) {
  EXPECT_EQ(buildDockerfilePath(BuildCommand::parse("-t a -f sub/my.dockerfile ."), "/ws"),
            "/ws/sub/my.dockerfile");
  EXPECT_EQ(buildDockerfilePath(BuildCommand::parse("-t a -f /abs/Dockerfile ctx"), "/ws"),
            "/abs/Dockerfile");
  EXPECT_EQ(buildDockerfilePath(BuildCommand::parse("-t a ctx"), "/ws"), "/ws/ctx/Dockerfile");
  EXPECT_EQ(buildDockerfilePath(BuildCommand::parse("-t a https://github.com/x/y.git"), "/ws"), std::nullopt);
  EXPECT_EQ(buildDockerfilePath(BuildCommand::parse("-t a -f - ."), "/ws"), std::nullopt);
}

TEST(BuildArgValues, ExplicitValuesAndBareNamesFromTheStepEnv) {
  const auto values =
      buildArgValues(BuildCommand::parse("--build-arg A=1 --build-arg B --build-arg C --build-arg A=2 ."),
                     {"B=from-env", "X=y"});
  EXPECT_EQ(values, (std::map<std::string, std::string>{{"A", "2"}, {"B", "from-env"}}));
}

TEST(ImageDependencies, OneEntryPerTagWithRuntimeAndBuildtimeDigests) {
  DockerfileDependencies bases;
  bases.runtime = "mcr.microsoft.com/dotnet/aspnet:8.0";
  bases.buildtime = {"golang:1.22", "127.0.0.1:5000/tools@sha256:" + std::string(64, 'b')};
  int lookups = 0;
  const auto deps = imageDependencies({"r.io/app:1", "r.io/app:latest"}, bases, [&](const std::string& ref) {
    ++lookups;
    return fakeDigest(ref);
  });
  ASSERT_EQ(deps.size(), 2u);
  EXPECT_EQ(deps[0].image, "r.io/app:1");
  EXPECT_EQ(deps[1].image, "r.io/app:latest");
  EXPECT_EQ(deps[0].runtime.registry, "mcr.microsoft.com");
  EXPECT_EQ(deps[0].runtime.repository, "dotnet/aspnet");
  EXPECT_EQ(deps[0].runtime.tag, "8.0");
  EXPECT_EQ(deps[0].runtime.digest, "sha256:of-mcr.microsoft.com/dotnet/aspnet:8.0");
  ASSERT_EQ(deps[0].buildtime.size(), 2u);
  EXPECT_EQ(deps[0].buildtime[0].repository, "library/golang");
  EXPECT_EQ(deps[0].buildtime[0].digest, "sha256:of-golang:1.22");
  EXPECT_EQ(deps[0].buildtime[1].digest, "sha256:" + std::string(64, 'b'));  // pinned: no lookup
  EXPECT_EQ(lookups, 2);                                                     // once per base image
  EXPECT_EQ(deps[1].runtime.digest, deps[0].runtime.digest);
}

TEST(ImageDependencies, ScratchAndUnparsableBasesAreNoDependency) {
  DockerfileDependencies bases;  // FROM scratch: no runtime
  bases.buildtime = {"NOT A REFERENCE"};
  const auto deps = imageDependencies({"app"}, bases, fakeDigest);
  ASSERT_EQ(deps.size(), 1u);
  EXPECT_TRUE(deps[0].runtime.repository.empty());
  EXPECT_TRUE(deps[0].buildtime.empty());
}

TEST(DependenciesLogJson, UsesAcrsFieldNames) {
  DockerfileDependencies bases;
  bases.runtime = "127.0.0.1:5000/base:1";
  const auto json = dependenciesLogJson(imageDependencies({"127.0.0.1:5000/app:2"}, bases, fakeDigest));
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["image"]["repository"], "app");
  EXPECT_EQ(json[0]["image"]["tag"], "2");
  EXPECT_EQ(json[0]["runtime-dependency"]["repository"], "base");
  EXPECT_EQ(json[0]["runtime-dependency"]["digest"], "sha256:of-127.0.0.1:5000/base:1");
  EXPECT_EQ(json[0]["buildtime-dependency"], nlohmann::json::array());
}

}  // namespace
}  // namespace hangar::runner
