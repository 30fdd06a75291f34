#include "runner/docker_engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;
using Strings = std::vector<std::string>;
namespace fs = std::filesystem;

const std::string kWs = "/runs/r1/workspace";

// The plans come from BuildahEngine, as the step executor makes them: one meaning for both engines.
BuildahEngine planner() {
  BuildahRunContext context;
  context.runId = "r1";
  context.workspace = kWs;
  context.secretValues = {"s3cret"};
  context.secretVolumes = {{"creds", "/runs/r1/volumes/creds"}};
  return BuildahEngine(EngineSettings{}, context);
}

DockerEngine docker(std::string binary = "") {
  DockerRunContext context;
  context.runId = "r1";
  context.workspace = kWs;
  context.configDir = "/runs/r1/docker";
  context.hostAliases = {"web", "db"};
  EngineSettings settings;
  settings.kind = "docker";
  settings.binary = std::move(binary);
  return DockerEngine(settings, context);
}

config::Step step(config::StepKind kind, std::string text) {
  config::Step s;
  s.id = "web";
  s.kind = kind;
  (kind == config::StepKind::Build ? s.build : s.cmd) = std::move(text);
  return s;
}

TEST(DockerEngine, BuildPassesDockerFlagsAndPutsTheContextLast) {
  auto s =
      step(config::StepKind::Build,
           "--pull -t reg/app:1 . -f app.dockerfile --build-arg V=1 --target final --platform linux/amd64");
  const auto spec = docker().build(planner().planBuild(s, ""));
  EXPECT_THAT(spec.argv,
              ElementsAre("docker", "build", "--pull", "--tag", "reg/app:1", "--file", "app.dockerfile",
                          "--build-arg", "V=1", "--target", "final", "--platform", "linux/amd64", "."));
  EXPECT_EQ(spec.env.at("DOCKER_CONFIG"), "/runs/r1/docker");
  EXPECT_EQ(spec.workingDirectory, kWs);
}

TEST(DockerEngine, SecretBuildArgsTravelInTheEnvironment) {
  auto s = step(config::StepKind::Build, "-t app --build-arg TOKEN=s3cret .");
  const auto spec = docker().build(planner().planBuild(s, ""));
  EXPECT_THAT(spec.argv, Not(testing::Contains(HasSubstr("s3cret"))));
  EXPECT_THAT(spec.argv, testing::Contains("TOKEN"));
  EXPECT_EQ(spec.env.at("TOKEN"), "s3cret");
}

TEST(DockerEngine, RunUsesTheHostNetworkStepIdsWorkspaceAndAnEnvFile) {
  auto s = step(config::StepKind::Cmd, "--user 1000 alpine echo hi");
  s.env = {"A=1", "SECRET=s3cret"};
  s.entryPoint = "/bin/sh";
  s.privileged = true;
  s.volumeMounts = {{"creds", "/run/creds"}};
  const auto plan = planner().planContainer(s, "");
  const auto spec = docker("podman").runContainer(plan, s, "hangar-r1-web", "/runs/r1/web.env", true);
  EXPECT_THAT(spec.argv, ElementsAreArray(Strings{"podman",
                                                  "run",
                                                  "--rm",
                                                  "--name",
                                                  "hangar-r1-web",
                                                  "--network",
                                                  "host",
                                                  "--add-host",
                                                  "web:127.0.0.1",
                                                  "--add-host",
                                                  "db:127.0.0.1",
                                                  "--volume",
                                                  kWs + ":/workspace",
                                                  "--workdir",
                                                  "/workspace",
                                                  "--user",
                                                  "1000",
                                                  "--entrypoint",
                                                  "/bin/sh",
                                                  "--privileged",
                                                  "--volume",
                                                  "/runs/r1/volumes/creds:/run/creds:ro",
                                                  "--cap-add",
                                                  "all",
                                                  "--env-file",
                                                  "/runs/r1/web.env",
                                                  "alpine",
                                                  "echo",
                                                  "hi"}));
  EXPECT_THAT(spec.argv, Not(testing::Contains(HasSubstr("s3cret"))));
}

TEST(DockerEngine, KeepAndDetachAndTheImagesWorkdir) {
  auto s = step(config::StepKind::Cmd, "nginx");
  s.detach = true;
  s.disableWorkingDirectoryOverride = true;
  const auto spec = docker().runContainer(planner().planContainer(s, ""), s, "n", "/e", /*remove=*/false);
  EXPECT_THAT(spec.argv, Not(testing::Contains("--rm")));
  EXPECT_THAT(spec.argv, testing::Contains("--detach"));
  EXPECT_THAT(spec.argv, Not(testing::Contains("--workdir")));
}

TEST(DockerEngine, PushLoginRemoveInspect) {
  EXPECT_THAT(docker().push("reg/app:1", "/d").argv, ElementsAre("docker", "push", "reg/app:1"));
  EXPECT_THAT(docker("/usr/bin/podman").push("reg/app:1", "/d").argv,
              ElementsAre("/usr/bin/podman", "push", "--digestfile", "/d", "reg/app:1"));
  const auto login = docker().login("reg.io", "user", "pa55");
  EXPECT_THAT(login.argv, ElementsAre("docker", "login", "--username", "user", "--password-stdin", "reg.io"));
  EXPECT_EQ(login.stdinData, "pa55");
  EXPECT_THAT(docker().removeContainer("n").argv, ElementsAre("docker", "rm", "-f", "n"));
  EXPECT_THAT(docker().imageDigests("app").argv,
              ElementsAre("docker", "image", "inspect", "--format", "{{json .RepoDigests}}", "app"));
  EXPECT_EQ(docker().containerName("a b"), "hangar-r1-a_b");
}

TEST(DockerEngine, DigestsFromPushOutputAndRepoDigests) {
  const std::string digest = "sha256:" + std::string(64, 'a');
  EXPECT_EQ(pushedDigest("1: Pushed\n1: digest: " + digest + " size: 528\n"), digest);
  EXPECT_EQ(pushedDigest("nothing here"), "");
  EXPECT_EQ(repoDigestOf("[\"other/x@sha256:1\",\"reg/app@" + digest + "\"]\n", "reg/app"), digest);
  EXPECT_EQ(repoDigestOf("[]", "reg/app"), "");
  EXPECT_EQ(repoDigestOf("not json", "reg/app"), "");
}

TEST(DockerEngine, EnvFileIsPrivateAndRefusesLineBreaks) {
  test::TempDir dir;
  const auto file = dir.path() / "step.env";
  writeEnvFile(file, {"A=1", "B=x=y"});
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "A=1\nB=x=y\n");
  struct stat info {};
  ASSERT_EQ(stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  // A symlink planted at the path is replaced, never written through.
  const auto target = dir.path() / "elsewhere";
  dir.write("elsewhere", "untouched");
  fs::remove(file);
  fs::create_symlink(target, file);
  writeEnvFile(file, {"S=s3cret"});
  EXPECT_FALSE(fs::is_symlink(file));
  EXPECT_EQ(test::read_file(target), "untouched");
  EXPECT_EQ(test::read_file(file), "S=s3cret\n");
  try {
    writeEnvFile(file, {"MULTI=line1\nline2-s3cret"});
    FAIL() << "a line break was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("MULTI"));
    EXPECT_THAT(e.what(), Not(HasSubstr("s3cret")));
  }
}

}  // namespace
}  // namespace hangar::runner
