#include "runner/dockerfile_dependencies.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace hangar::runner {
namespace {

TEST(ScanDockerfile, ASingleStageHasOnlyARuntimeDependency) {
  auto deps = scanDockerfile("FROM mcr.microsoft.com/hello-world\n", {});
  EXPECT_EQ(deps.runtime, "mcr.microsoft.com/hello-world");
  EXPECT_TRUE(deps.buildtime.empty());
}

TEST(ScanDockerfile, ArgDefaultsBuildArgsAndStageChainsResolveAsInTheAspnetSample) {
  std::ifstream in(std::string(HANGAR_SOURCE_DIR) +
                   "/../shared/conformance/azure-samples/build-aspnetapp/WeatherService/Dockerfile");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  auto deps = scanDockerfile(text.str(), {{"BaseImage", "reg.io/dotnet/core/aspnet:3.1-buster-slim"}});
  EXPECT_EQ(deps.runtime, "reg.io/dotnet/core/aspnet:3.1-buster-slim");
  EXPECT_EQ(deps.buildtime, std::vector<std::string>{"mcr.microsoft.com/dotnet/core/sdk:3.1-buster"});
}

TEST(ScanDockerfile, PlatformFlagsContinuationsAndCommentsAreHandled) {
  auto deps = scanDockerfile(
      "# syntax=docker/dockerfile:1\n"
      "ARG TAG=3.19\n"
      "FROM --platform=$BUILDPLATFORM \\\n"
      "  golang:${GO:-1.22} AS build\n"
      "RUN make\n"
      "from alpine:$TAG\n",
      {});
  EXPECT_EQ(deps.runtime, "alpine:3.19");
  EXPECT_EQ(deps.buildtime, std::vector<std::string>{"golang:1.22"});
}

TEST(ScanDockerfile, TargetStopsTheScanAndScratchIsNoDependency) {
  std::string dockerfile =
      "FROM busybox AS tools\n"
      "FROM scratch AS final\n"
      "COPY --from=tools /bin/busybox /bin/busybox\n"
      "FROM debian AS debug\n";
  auto full = scanDockerfile(dockerfile, {});
  EXPECT_EQ(full.runtime, "debian");
  auto final = scanDockerfile(dockerfile, {}, "final");
  EXPECT_EQ(final.runtime, "");
  EXPECT_EQ(final.buildtime, std::vector<std::string>{"busybox"});
}

TEST(ScanDockerfile, GarbageIsSkippedNotFatal) {
  auto deps = scanDockerfile("FROM\n\\\nRUN x\nFROM ${UNCLOSED\n", {});
  EXPECT_EQ(deps.runtime, "${UNCLOSED");
}

}  // namespace
}  // namespace hangar::runner
