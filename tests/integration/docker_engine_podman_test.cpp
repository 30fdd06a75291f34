// End to end: `hangar run-once --engine docker` with podman as the docker CLI (there is no Docker
// engine on these machines; `podman build` and `podman push` speak the docker CLI). Build from a
// busybox base on a loopback registry, then push: the image lands with the digest the record holds.
// `podman run` does not work here (crun: cgroups in hybrid mode), so cmd steps are not run end to end;
// their `docker run` command lines are unit-tested in runner/docker_engine_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/busybox_image.hpp"
#include "tests/support/command.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/stand_in_images.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;

TEST(DockerEnginePodman, BuildsAndPushesThroughTheDockerCli) {
  if (!std::filesystem::exists("/usr/bin/podman")) GTEST_SKIP() << "podman is not installed";
  LocalRegistry registry;
  build_and_push_busybox_image(busybox_base_image(), registry.host() + "/base/busybox:1");
  TempDir context{"hangar-docker-engine"};
  context.write("Dockerfile", "ARG BASE\nFROM ${BASE}\nCOPY note.txt /note.txt\n");
  context.write("note.txt", "built by the docker engine\n");
  context.write("acr-task.yaml",
                "version: v1.1.0\n"
                "steps:\n"
                "  - id: build\n"
                "    build: -t $Registry/podman-built:$ID . --build-arg BASE=$Registry/base/busybox:1\n"
                "  - id: push\n"
                "    push: [\"$Registry/podman-built:$ID\"]\n");
  CommandOptions options;
  options.timeout = std::chrono::minutes(5);
  // podman as `docker`: the same vfs storage and chroot isolation buildah uses on these machines.
  options.env = {{"STORAGE_DRIVER", "vfs"}, {"BUILDAH_ISOLATION", "chroot"}};
  const auto result =
      run_hangar({"run-once", "-f", "acr-task.yaml", "--registry", registry.host(), "--engine", "docker",
                  "--engine-binary", "/usr/bin/podman", "--state-dir",
                  (std::filesystem::temp_directory_path() / "hangar-integration-state").string(), "--output",
                  "json", context.path().string()},
                 options);

  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto record = nlohmann::json::parse(result.out);
  ASSERT_THAT(record.at("outputImages"), SizeIs(1)) << record.dump(2);
  const std::string tag = record.at("outputImages")[0].at("tag");
  EXPECT_THAT(registry.tags("podman-built"), ElementsAre(tag));
  EXPECT_THAT(record.at("outputImages")[0].at("digest").get<std::string>(), StartsWith("sha256:"));
  EXPECT_EQ(record.at("outputImages")[0].at("digest"), registry.manifest_digest("podman-built", tag));
  remove_local_images(registry.host() + "/");
}

}  // namespace
}  // namespace hangar::test
