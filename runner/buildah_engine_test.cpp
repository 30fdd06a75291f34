#include "runner/buildah_engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

namespace hangar::runner {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using Strings = std::vector<std::string>;

const std::string kAuth = "/runs/r1/auth.json";
const std::string kWs = "/runs/r1/workspace";

BuildahRunContext runContext() {
  BuildahRunContext context;
  context.runId = "r1";
  context.workspace = kWs;
  context.authFile = kAuth;
  context.registriesConf = "/runs/r1/registries.conf";
  context.hostAliases = {"build", "web", "acb_step_2", "bad:id"};
  context.insecureRegistries = {"registry.internal:5000"};
  context.secretValues = {"s3cret"};
  return context;
}

BuildahEngine engine() { return BuildahEngine(EngineSettings{}, runContext()); }

config::Step cmdStep(std::string cmd) {
  config::Step step;
  step.id = "web";
  step.kind = config::StepKind::Cmd;
  step.cmd = std::move(cmd);
  return step;
}

config::Step buildStep(std::string build) {
  config::Step step;
  step.id = "build";
  step.kind = config::StepKind::Build;
  step.build = std::move(build);
  return step;
}

// The argv after `buildah --storage-driver vfs`.
Strings verbArgs(const ProcessSpec& spec) { return Strings(spec.argv.begin() + 3, spec.argv.end()); }

bool anyContains(const Strings& words, std::string_view text) {
  return std::any_of(words.begin(), words.end(),
                     [&](const auto& w) { return w.find(text) != std::string::npos; });
}

TEST(BuildahEngine, EveryCommandHasTheGlobalOptionsAndTheRegistriesConf) {
  const auto e = engine();
  const auto plan = e.planContainer(cmdStep("img"), "");
  ImageConfig image;
  image.cmd = {"/hello"};
  for (const auto& spec : {e.build(e.planBuild(buildStep("."), "")), e.push("127.0.0.1:5000/a:1", "/d"),
                           e.createContainer(plan, "c"), e.inspectContainer("c"),
                           e.runContainer(plan, "c", image), e.removeContainer("c")}) {
    ASSERT_GE(spec.argv.size(), 4u);
    EXPECT_THAT(Strings(spec.argv.begin(), spec.argv.begin() + 3),
                ElementsAre("buildah", "--storage-driver", "vfs"));
    EXPECT_EQ(spec.env.at("CONTAINERS_REGISTRIES_CONF"), "/runs/r1/registries.conf");
    EXPECT_THAT(spec.argv, Not(Contains("--creds")));
  }
}

TEST(BuildahEngine, BinaryAndStorageDriverComeFromTheSettings) {
  EngineSettings settings;
  settings.binary = "/opt/bin/buildah";
  settings.storageDriver = "";
  const BuildahEngine e(settings, runContext());
  EXPECT_THAT(e.removeContainer("c").argv, ElementsAre("/opt/bin/buildah", "rm", "c"));
}

TEST(BuildahEngine, BuildPutsFlagsFirstAndTheContextLast) {
  const auto e = engine();
  const auto plan =
      e.planBuild(buildStep("-t 127.0.0.1:5000/hello-world:cf1 . -f hello-world.dockerfile"), "");
  const auto spec = e.build(plan);
  EXPECT_THAT(verbArgs(spec), ElementsAre("build", "--isolation", "chroot", "--authfile", kAuth, "--layers",
                                          "--pull=missing", "--tag", "127.0.0.1:5000/hello-world:cf1",
                                          "--file", "hello-world.dockerfile", "."));
  EXPECT_EQ(spec.workingDirectory, kWs);
  EXPECT_THAT(plan.warnings, IsEmpty());
}

TEST(BuildahEngine, BuildRunsInTheStepWorkingDirectoryOfTheWorkspace) {
  const auto e = engine();
  auto step = buildStep("-t x .");
  step.workingDirectory = "src/app";
  EXPECT_EQ(e.build(e.planBuild(step, "")).workingDirectory, std::filesystem::path(kWs) / "src/app");
  step.workingDirectory = "/workspace/a/../b";
  EXPECT_EQ(e.planBuild(step, "").workingDirectory, std::filesystem::path(kWs) / "b");
  step.workingDirectory = "";
  EXPECT_EQ(e.planBuild(step, "task-dir").workingDirectory, std::filesystem::path(kWs) / "task-dir");
  step.disableWorkingDirectoryOverride = true;
  EXPECT_EQ(e.planBuild(step, "task-dir").workingDirectory, kWs);
  step.disableWorkingDirectoryOverride = false;
  step.workingDirectory = "/src";
  EXPECT_THROW(e.planBuild(step, ""), std::invalid_argument);
}

TEST(BuildahEngine, BuildArgsTakeBareNamesFromTheStepEnv) {
  const auto e = engine();
  auto step = buildStep("--build-arg A=1 --build-arg B --build-arg C .");
  step.env = {"B=from-env", "OTHER=x"};
  const auto plan = e.planBuild(step, "");
  EXPECT_THAT(plan.flags, ElementsAre("--pull=missing", "--build-arg", "A=1", "--build-arg", "B=from-env"));
  EXPECT_THAT(plan.warnings, ElementsAre(HasSubstr("build arg C has no value")));
}

TEST(BuildahEngine, SecretBuildArgsTravelInTheEnvironmentNotOnArgv) {
  const auto e = engine();
  auto step = buildStep("--build-arg TOKEN=x-s3cret-y --build-arg PLAIN=1 .");
  const auto spec = e.build(e.planBuild(step, ""));
  EXPECT_FALSE(anyContains(spec.argv, "s3cret"));
  EXPECT_THAT(spec.argv, Contains("TOKEN"));
  EXPECT_THAT(spec.argv, Contains("PLAIN=1"));
  EXPECT_EQ(spec.env.at("TOKEN"), "x-s3cret-y");

  // A name buildah's own environment must not take: refused rather than put on argv.
  EXPECT_THROW(e.planBuild(buildStep("--build-arg PATH=s3cret ."), ""), std::invalid_argument);
  EXPECT_THROW(e.planBuild(buildStep("--build-arg a-b=s3cret ."), ""), std::invalid_argument);
}

TEST(BuildahEngine, BuildPullFollowsDocker) {
  const auto e = engine();
  EXPECT_THAT(e.planBuild(buildStep("--pull ."), "").flags, ElementsAre("--pull=always"));
  EXPECT_THAT(e.planBuild(buildStep("--pull=false ."), "").flags, ElementsAre("--pull=missing"));
  EXPECT_THAT(e.planBuild(buildStep("--no-cache -q --rm=false ."), "").flags,
              ElementsAre("--pull=missing", "--no-cache", "--quiet", "--rm=false"));
}

TEST(BuildahEngine, BuildDropsWhatBuildahCannotDoWithAWarning) {
  const auto e = engine();
  auto step = buildStep(
      "--progress plain --load --isolation hyperv --network acb_default_network --push --network host -t x "
      ".");
  step.cache = true;
  const auto plan = e.planBuild(step, "");
  EXPECT_THAT(plan.flags, ElementsAre("--pull=missing", "--network", "host", "--tag", "x"));
  EXPECT_EQ(plan.warnings.size(), 6u);
  EXPECT_TRUE(anyContains(plan.warnings, "--progress"));
  EXPECT_TRUE(anyContains(plan.warnings, "--load"));
  EXPECT_TRUE(anyContains(plan.warnings, "--isolation hyperv"));
  EXPECT_TRUE(anyContains(plan.warnings, "--network acb_default_network"));
  EXPECT_TRUE(anyContains(plan.warnings, "--push"));
  EXPECT_TRUE(anyContains(plan.warnings, "cache: enabled"));
}

TEST(BuildahEngine, CacheEnabledKeepsTheLayerCacheInTheRegistry) {
  auto context = runContext();
  context.registry = "127.0.0.1:5000";
  const BuildahEngine e(EngineSettings{}, context);
  auto step = buildStep("-t hello-world:1 .");
  step.id = "acb_step_0";
  step.cache = true;
  const auto plan = e.planBuild(step, "");
  const std::string cache = "127.0.0.1:5000/hello-world/cache_quickrun_acb_step_0";
  EXPECT_EQ(plan.cacheRepository, cache);
  EXPECT_TRUE(plan.warnings.empty());
  const auto argv = e.build(plan).argv;
  const std::vector<std::string> tail(argv.end() - 5, argv.end());
  EXPECT_THAT(tail, ElementsAre("--cache-to", cache, "--cache-from", cache, "."));
}

TEST(BuildahEngine, BuildStringErrorsAreInvalidArgument) {
  EXPECT_THROW(engine().planBuild(buildStep("-t x . extra"), ""), std::invalid_argument);
  EXPECT_THROW(engine().planBuild(buildStep("--frob ."), ""), std::invalid_argument);
}

TEST(BuildahEngine, PushUsesTheAuthFileAndPlainHttpOnlyWhereAllowed) {
  const auto e = engine();
  EXPECT_THAT(verbArgs(e.push("127.0.0.1:5000/hello-world:cf1", "/runs/r1/digests/p-0.digest")),
              ElementsAre("push", "--authfile", kAuth, "--digestfile", "/runs/r1/digests/p-0.digest",
                          "--tls-verify=false", "127.0.0.1:5000/hello-world:cf1",
                          "docker://127.0.0.1:5000/hello-world:cf1"));
  EXPECT_THAT(verbArgs(e.push("myreg.azurecr.io/app:1", "/d")),
              ElementsAre("push", "--authfile", kAuth, "--digestfile", "/d", "myreg.azurecr.io/app:1",
                          "docker://myreg.azurecr.io/app:1"));
  EXPECT_THAT(e.push("registry.internal:5000/app:1", "/d").argv, Contains("--tls-verify=false"));
  EXPECT_THAT(e.push("localhost:5000/app:1", "/d").argv, Contains("--tls-verify=false"));
  EXPECT_THAT(verbArgs(e.push("hello:1", "/d")).back(), "docker://docker.io/library/hello:1");
  EXPECT_THROW(e.push("UPPER/Case", "/d"), std::invalid_argument);
}

TEST(BuildahEngine, ContainerPlanSortsDockerRunFlags) {
  const auto e = engine();
  auto step = cmdStep(
      "--rm -it -e A=1 --env B -e C --entrypoint /bin/sh -w sub -u 1000 --add-host db:10.0.0.1 "
      "--hostname h -v /etc/ssl:/etc/ssl:ro -v data:/data --platform linux/amd64 -p 80:80 --expose 80 "
      "--gpus all img -c 'echo hi'");
  step.env = {"B=from-step", "A=0"};
  step.entryPoint = "ignored";
  step.user = "ignored";
  const auto plan = e.planContainer(step, "");
  EXPECT_EQ(plan.image, "img");
  EXPECT_THAT(plan.args, ElementsAre("-c", "echo hi"));
  EXPECT_THAT(plan.env, ElementsAre("B=from-step", "A=0", "A=1", "B=from-step"));
  EXPECT_EQ(plan.entrypoint, "/bin/sh");
  EXPECT_EQ(plan.user, "1000");
  EXPECT_EQ(plan.workingDirectory, "/workspace/sub");
  EXPECT_THAT(plan.runOptions, ElementsAre("--hostname", "h", "--volume", "/etc/ssl:/etc/ssl:ro"));
  EXPECT_THAT(plan.fromOptions, ElementsAre("--platform", "linux/amd64", "--add-host", "db:10.0.0.1"));
  EXPECT_FALSE(plan.detach);
  EXPECT_EQ(plan.warnings.size(), 4u);
  EXPECT_TRUE(anyContains(plan.warnings, "--env C has no value"));
  EXPECT_TRUE(anyContains(plan.warnings, "--volume data:/data"));
  EXPECT_TRUE(anyContains(plan.warnings, "host network"));
  EXPECT_TRUE(anyContains(plan.warnings, "--gpus"));
}

TEST(BuildahEngine, ContainerPlanTakesStepProperties) {
  const auto e = engine();
  auto step = cmdStep("img");
  step.entryPoint = "/entry";
  step.user = "app";
  step.detach = true;
  step.pull = true;
  step.network = "acb_default_network";
  const auto plan = e.planContainer(step, "");
  EXPECT_EQ(plan.entrypoint, "/entry");
  EXPECT_EQ(plan.user, "app");
  EXPECT_TRUE(plan.detach);
  EXPECT_EQ(plan.pull, "always");
  EXPECT_THAT(plan.warnings, ElementsAre(HasSubstr("network 'acb_default_network' is ignored")));
  EXPECT_TRUE(e.planContainer(cmdStep("-d img"), "").detach);
  EXPECT_EQ(e.planContainer(cmdStep("--pull never img"), "").pull, "never");
}

TEST(BuildahEngine, ContainerPlanWarnsAboutRunFlagsAfterTheImage) {
  const auto plan = engine().planContainer(cmdStep("img --env A=1"), "");
  EXPECT_THAT(plan.args, ElementsAre("--env", "A=1"));
  EXPECT_THAT(plan.warnings, ElementsAre(HasSubstr("'--env' comes after the image 'img'")));
}

TEST(BuildahEngine, CreateContainerMapsStepIdsToLoopback) {
  const auto e = engine();
  const auto plan = e.planContainer(cmdStep("--add-host db:10.0.0.1 127.0.0.1:5000/hello-world:cf1"), "");
  EXPECT_THAT(
      verbArgs(e.createContainer(plan, "hangar-r1-web")),
      ElementsAre("from", "--name", "hangar-r1-web", "--pull=missing", "--authfile", kAuth, "--add-host",
                  "db:10.0.0.1", "--add-host", "build:127.0.0.1", "--add-host", "web:127.0.0.1", "--add-host",
                  "acb_step_2:127.0.0.1", "--tls-verify=false", "127.0.0.1:5000/hello-world:cf1"));
  // Images from remote registries (or mirrored through registries.conf) keep TLS verification.
  EXPECT_THAT(e.createContainer(e.planContainer(cmdStep("mcr.microsoft.com/hello-world"), ""), "c").argv,
              Not(Contains("--tls-verify=false")));
}

TEST(BuildahEngine, RunContainerComposesTheCommandLikeDockerRun) {
  const auto e = engine();
  auto step = cmdStep("-e A=1 img echo hi");
  step.user = "app";
  const auto plan = e.planContainer(step, "");
  ImageConfig image;
  image.entrypoint = {"/entry.sh"};
  image.cmd = {"default"};
  EXPECT_THAT(verbArgs(e.runContainer(plan, "hangar-r1-web", image)),
              ElementsAre("run", "--isolation", "chroot", "--volume", kWs + ":/workspace", "--workingdir",
                          "/workspace", "--user", "app", "--env", "A=1", "hangar-r1-web", "--", "/entry.sh",
                          "echo", "hi"));
  const auto bare = e.planContainer(cmdStep("img"), "");
  EXPECT_THAT(verbArgs(e.runContainer(bare, "c", image)),
              ElementsAre("run", "--isolation", "chroot", "--volume", kWs + ":/workspace", "--workingdir",
                          "/workspace", "c", "--", "/entry.sh", "default"));
  EXPECT_THROW(e.runContainer(e.planContainer(cmdStep("--entrypoint '' img"), ""), "c", image),
               std::invalid_argument);
}

TEST(BuildahEngine, WorkingDirectoryRules) {
  EXPECT_EQ(containerWorkingDirectory("", ""), "/workspace");
  EXPECT_EQ(containerWorkingDirectory("src", ""), "/workspace/src");
  EXPECT_EQ(containerWorkingDirectory("src/../lib/", ""), "/workspace/lib");
  EXPECT_EQ(containerWorkingDirectory("/abs/dir", "task"), "/abs/dir");
  EXPECT_EQ(containerWorkingDirectory("", "task"), "/workspace/task");
  EXPECT_EQ(containerWorkingDirectory("", "/task"), "/task");
  EXPECT_EQ(containerWorkingDirectory("step", "/task"), "/workspace/step");
  EXPECT_EQ(containerWorkingDirectory("..", ""), "/");

  EXPECT_EQ(hostPathInWorkspace("/workspace", "/h"), std::filesystem::path("/h"));
  EXPECT_EQ(hostPathInWorkspace("/workspace/a/b", "/h"), std::filesystem::path("/h/a/b"));
  EXPECT_EQ(hostPathInWorkspace("/workspaces", "/h"), std::nullopt);
  EXPECT_EQ(hostPathInWorkspace("/src", "/h"), std::nullopt);
}

TEST(BuildahEngine, DisabledOverrideUsesTheImageWorkingDirectory) {
  const auto e = engine();
  auto step = cmdStep("img");
  step.workingDirectory = "ignored";
  step.disableWorkingDirectoryOverride = true;
  const auto plan = e.planContainer(step, "task");
  ImageConfig image;
  image.cmd = {"x"};
  EXPECT_EQ(plan.effectiveWorkingDirectory(image), "/");
  image.workingDir = "/app";
  EXPECT_EQ(plan.effectiveWorkingDirectory(image), "/app");
  EXPECT_THAT(e.runContainer(plan, "c", image).argv, Contains("/app"));
  // The cmd's own -w still applies, as docker applies it.
  step.cmd = "-w /opt img";
  EXPECT_EQ(e.planContainer(step, "").effectiveWorkingDirectory(image), "/opt");
}

TEST(BuildahEngine, ContainerNamesAreUniquePerRunAndValid) {
  auto e = engine();
  EXPECT_THAT(e.containerName("acb_step_0"), MatchesRegex("hangar-r1-[0-9a-f]{6}-acb_step_0"));
  EXPECT_THAT(e.containerName("we b/x"), MatchesRegex("hangar-r1-[0-9a-f]{6}-we_b_x"));
  EXPECT_EQ(e.containerName("a"), e.containerName("a"));
  // Two engines (two agents that issued the same run id) never share a container name.
  EXPECT_NE(e.containerName("a"), engine().containerName("a"));
}

TEST(BuildahEngine, CmdStringErrorsAreInvalidArgument) {
  EXPECT_THROW(engine().planContainer(cmdStep("--bogus img"), ""), std::invalid_argument);
  EXPECT_THROW(engine().planContainer(cmdStep(""), ""), std::invalid_argument);
}

TEST(BuildahEngine, VolumeMountsAreReadOnlyAndMustNameATaskVolume) {
  auto context = runContext();
  context.secretVolumes = {{"creds", "/runs/r1/secret-volumes/creds"}};
  const BuildahEngine e(EngineSettings{}, context);
  auto step = cmdStep("img");
  step.volumeMounts = {{"creds", "/run/test"}};
  const auto plan = e.planContainer(step, "");
  EXPECT_THAT(plan.runOptions, ElementsAre("--volume", "/runs/r1/secret-volumes/creds:/run/test:ro"));
  EXPECT_THAT(plan.warnings, IsEmpty());
  step.volumeMounts = {{"other", "/run/test"}};
  EXPECT_THROW(e.planContainer(step, ""), std::invalid_argument);
  auto build = buildStep(".");
  build.volumeMounts = {{"creds", "/run/test"}};
  EXPECT_THAT(e.planBuild(build, "").warnings,
              Contains(HasSubstr("volumeMounts are not mounted into build")));
}

TEST(BuildahEngine, StorageInfoPrintsTheGraphRootThenTheDriver) {
  EXPECT_THAT(verbArgs(engine().storageInfo()),
              ElementsAre("info", "--format", "{{.store.GraphRoot}}\n{{.store.GraphDriverName}}"));
}

TEST(BuildahEngine, PullRetriesAsAskedAndUsesTheAuthFile) {
  const auto e = engine();
  EXPECT_THAT(verbArgs(e.pull("registry.internal:5000/a:1", "always", 3, 7)),
              ElementsAre("pull", "--policy", "always", "--authfile", kAuth, "--retry", "3", "--retry-delay",
                          "7s", "--tls-verify=false", "registry.internal:5000/a:1"));
  EXPECT_THAT(
      verbArgs(e.pull("mcr.microsoft.com/a", "missing", 0, 0)),
      ElementsAre("pull", "--policy", "missing", "--authfile", kAuth, "--retry", "0", "mcr.microsoft.com/a"));
  EXPECT_THAT(verbArgs(e.imageDigest("golang:1.22")),
              ElementsAre("images", "--noheading", "--format", "{{.Digest}}", "golang:1.22"));
}

TEST(BuildahEngine, PrivilegedAddsEveryCapabilityAndIsolationIsNoted) {
  auto step = cmdStep("img");
  step.privileged = true;
  step.isolation = "hyperv";
  const auto plan = engine().planContainer(step, "");
  EXPECT_THAT(plan.runOptions, ElementsAre("--cap-add", "all"));
  EXPECT_THAT(plan.warnings, ElementsAre(HasSubstr("isolation 'hyperv' is ignored")));
}

}  // namespace
}  // namespace hangar::runner
