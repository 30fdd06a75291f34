#include "config/agent_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "config/agent_config_test_helper.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::config {
namespace {

using testing::AgentParse;
using ::testing::ElementsAre;
using testing::failsAt;
using ::testing::HasSubstr;
using ::testing::Pair;
using testing::parseAgent;
using testing::validAgent;

// The example of agent-config.md, with the placeholders filled in.
constexpr std::string_view kSpecExample = R"(stateDir: /var/lib/hangar          # run store
slots: 2
shutdownTimeout: 600
logRetention: {days: 30, maxSizeMB: 2048}

engine:
  kind: buildah
  binary: buildah
  storageDriver: vfs
  isolation: chroot

registries:
  - host: myregistry.azurecr.io
    auth:
      managedIdentity: {clientId: 00000000-0000-0000-0000-000000000000}
  - host: other.azurecr.io
    auth: {servicePrincipal: {tenantId: tenant-1, clientId: client-1, clientSecretFile: /etc/hangar/sp.secret}}
  - host: 127.0.0.1:5000
    insecure: true
    auth: {username: ci, passwordFile: /etc/hangar/reg.pw}
dockerConfig: /root/.docker/config.json
caBundle: /etc/ssl/certs/ca-certificates.crt
mirrors:
  mcr.microsoft.com: myregistry.azurecr.io/mcr

queue:
  kind: spool
  path: /var/lib/hangar/queue

metrics: {listen: 127.0.0.1:9469}

tasks:
  - name: nightly-web
    file: acr-task.yaml
    context: https://dev.azure.com/org/proj/_git/web#main
    registry: myregistry.azurecr.io
    values: {env: prod}
    valuesFile: values.yaml
    timeout: 3600
    enabled: true
    timers:
      - {name: nightly, schedule: "0 2 * * *"}
    catchup: latest
    concurrency: forbid
    baseImageTrigger: runtime
    sourceTrigger: {commit: true, pullRequest: false, interval: 60}
    queue: builds-linux-amd64
)";

TEST(AgentConfig, TheSpecExampleParsesIntoTypedSettings) {
  const AgentConfig config = validAgent(kSpecExample);
  EXPECT_EQ(config.stateDir, "/var/lib/hangar");
  EXPECT_EQ(config.slots, 2);
  EXPECT_EQ(config.shutdownTimeout, 600);
  EXPECT_EQ(config.logRetention.days, 30);
  EXPECT_EQ(config.logRetention.maxSizeMB, 2048);
  EXPECT_EQ(config.engine.kind, EngineKind::Buildah);
  EXPECT_EQ(config.engine.binary, "buildah");
  EXPECT_EQ(config.engine.storageDriver, "vfs");
  EXPECT_EQ(config.engine.isolation, "chroot");

  ASSERT_EQ(config.registries.size(), 3u);
  const RegistrySettings& acr = config.registries[0];
  EXPECT_EQ(acr.host, "myregistry.azurecr.io");
  EXPECT_FALSE(acr.insecure);
  ASSERT_TRUE(acr.auth && acr.auth->managedIdentity);
  EXPECT_EQ(acr.auth->managedIdentity->clientId, "00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(acr.position.line, 13);
  const RegistrySettings& other = config.registries[1];
  ASSERT_TRUE(other.auth && other.auth->servicePrincipal);
  EXPECT_EQ(other.auth->servicePrincipal->tenantId, "tenant-1");
  EXPECT_EQ(other.auth->servicePrincipal->clientId, "client-1");
  EXPECT_EQ(other.auth->servicePrincipal->clientSecretFile, "/etc/hangar/sp.secret");
  const RegistrySettings& local = *config.findRegistry("127.0.0.1:5000");
  EXPECT_TRUE(local.insecure);
  EXPECT_EQ(local.auth->username, "ci");
  EXPECT_EQ(local.auth->passwordFile, "/etc/hangar/reg.pw");
  EXPECT_EQ(config.findRegistry("nope.io"), nullptr);

  EXPECT_EQ(config.dockerConfig, "/root/.docker/config.json");
  EXPECT_EQ(config.caBundle, "/etc/ssl/certs/ca-certificates.crt");
  EXPECT_THAT(config.mirrors, ElementsAre(Pair("mcr.microsoft.com", "myregistry.azurecr.io/mcr")));
  EXPECT_EQ(config.queue.kind, QueueKind::Spool);
  EXPECT_EQ(config.queue.path, "/var/lib/hangar/queue");
  ASSERT_TRUE(config.metrics);
  EXPECT_EQ(config.metrics->listen, "127.0.0.1:9469");

  ASSERT_EQ(config.tasks.size(), 1u);
  const TaskDefinition& task = *config.findTask("nightly-web");
  EXPECT_EQ(task.kind, TaskKind::File);
  EXPECT_EQ(task.file, "acr-task.yaml");
  EXPECT_EQ(task.context, "https://dev.azure.com/org/proj/_git/web#main");
  EXPECT_EQ(task.registry, "myregistry.azurecr.io");
  EXPECT_THAT(task.values, ElementsAre(Pair("env", "prod")));
  EXPECT_EQ(task.valuesFile, "values.yaml");
  EXPECT_EQ(task.timeout, 3600);
  EXPECT_TRUE(task.enabled);
  ASSERT_EQ(task.timers.size(), 1u);
  EXPECT_EQ(task.timers[0].name, "nightly");
  EXPECT_EQ(task.timers[0].schedule.str(), "0 2 * * *");
  EXPECT_EQ(task.catchup, Catchup::Latest);
  EXPECT_EQ(task.concurrency, Concurrency::Forbid);
  EXPECT_EQ(task.baseImageTrigger, BaseImageTrigger::Runtime);
  ASSERT_TRUE(task.sourceTrigger);
  EXPECT_TRUE(task.sourceTrigger->commit);
  EXPECT_FALSE(task.sourceTrigger->pullRequest);
  EXPECT_EQ(task.sourceTrigger->interval, 60);
  EXPECT_EQ(task.queue, "builds-linux-amd64");
  EXPECT_EQ(task.position.line, 33);
}

TEST(AgentConfig, AnEmptyFileGivesTheDefaults) {
  for (std::string_view text : {"", "# nothing here\n", "---\n"}) {
    const AgentConfig config = validAgent(text);
    EXPECT_EQ(config.stateDir, "/var/lib/hangar");
    EXPECT_EQ(config.slots, 2);
    EXPECT_EQ(config.shutdownTimeout, 600);
    EXPECT_EQ(config.logRetention.days, 30);
    EXPECT_EQ(config.logRetention.maxSizeMB, 2048);
    EXPECT_EQ(config.engine.kind, EngineKind::Buildah);
    EXPECT_EQ(config.engine.binary, "buildah");
    EXPECT_EQ(config.queue.kind, QueueKind::Spool);
    EXPECT_EQ(config.queue.path, "/var/lib/hangar/queue");
    EXPECT_FALSE(config.metrics);
    EXPECT_TRUE(config.tasks.empty());
    EXPECT_TRUE(config.registries.empty());
  }
}

TEST(AgentConfig, TheQueuePathFollowsStateDirWhereverItIsWritten) {
  EXPECT_EQ(validAgent("queue: {kind: spool}\nstateDir: /srv/hangar\n").queue.path, "/srv/hangar/queue");
  EXPECT_EQ(validAgent("stateDir: /srv/hangar\nqueue: {path: /q}\n").queue.path, "/q");
}

TEST(AgentConfig, DockerEngineDefaultsItsBinary) {
  const AgentConfig config = validAgent("engine: {kind: docker}\n");
  EXPECT_EQ(config.engine.kind, EngineKind::Docker);
  EXPECT_EQ(config.engine.binary, "docker");
  EXPECT_EQ(validAgent("engine: {kind: docker, binary: /usr/local/bin/docker}\n").engine.binary,
            "/usr/local/bin/docker");
  EXPECT_TRUE(failsAt(parseAgent("engine: {kind: docker, storageDriver: vfs}\n"), 1, 24,
                      "'storageDriver' applies only to kind: buildah"));
  EXPECT_TRUE(failsAt(parseAgent("engine:\n  kind: podman\n"), 2, 9,
                      "'kind' must be buildah or docker, got 'podman'"));
  EXPECT_TRUE(failsAt(parseAgent("engine:\n  isolation: chrot\n"), 2, 14, "(did you mean 'chroot'?)"));
}

TEST(AgentConfig, UnknownKeysAreErrorsWithASuggestion) {
  EXPECT_TRUE(failsAt(parseAgent("slots: 2\nstatedir: /x\n"), 2, 1,
                      "unknown key 'statedir' in the agent configuration (did you mean 'stateDir'?)"));
  EXPECT_TRUE(failsAt(parseAgent("logRetention:\n  day: 3\n"), 2, 3, "unknown key 'day' in logRetention"));
  EXPECT_TRUE(failsAt(parseAgent("queue:\n  kind: spool\n  paht: /q\n"), 3, 3, "(did you mean 'path'?)"));
  EXPECT_TRUE(failsAt(parseAgent("metrics: {listen: 127.0.0.1:1, port: 3}\n"), 1, 32, "unknown key 'port'"));
  EXPECT_TRUE(failsAt(parseAgent("slots: 2\nslots: 3\n"), 2, 1, "duplicate key 'slots'"));
}

TEST(AgentConfig, ValuesAreCheckedWithTheirPositions) {
  EXPECT_TRUE(failsAt(parseAgent("slots: 0\n"), 1, 8, "'slots' must be from 1 to 256, got 0"));
  EXPECT_TRUE(failsAt(parseAgent("slots: two\n"), 1, 8, "'slots' must be an integer"));
  EXPECT_TRUE(failsAt(parseAgent("shutdownTimeout: -1\n"), 1, 18, "'shutdownTimeout' must be from 0"));
  EXPECT_TRUE(failsAt(parseAgent("stateDir: var/lib\n"), 1, 11, "'stateDir' must be an absolute path"));
  EXPECT_TRUE(failsAt(parseAgent("stateDir:\n"), 1, 1, "'stateDir' needs a value"));
  EXPECT_TRUE(failsAt(parseAgent("logRetention: {days: 0}\n"), 1, 22, "'days' must be from 1"));
  EXPECT_TRUE(failsAt(parseAgent("logRetention: 30\n"), 1, 15, "'logRetention' must be a map"));
  EXPECT_TRUE(failsAt(parseAgent("- a\n- b\n"), 1, 1, "must be a map of settings"));
  EXPECT_TRUE(failsAt(parseAgent("mirrors: {mcr.microsoft.com: ''}\n"), 1, 30,
                      "'mirrors.mcr.microsoft.com' must not be empty"));
  EXPECT_TRUE(failsAt(parseAgent("metrics: {listen: localhost}\n"), 1, 19, "'listen' must be HOST:PORT"));
  EXPECT_TRUE(
      failsAt(parseAgent("metrics: {listen: 127.0.0.1:70000}\n"), 1, 19, "'listen' must be HOST:PORT"));
  EXPECT_TRUE(failsAt(parseAgent("metrics: {}\n"), 1, 1, "'metrics' needs 'listen'"));
  EXPECT_EQ(validAgent("metrics: {listen: '[::1]:9469'}\n").metrics->listen, "[::1]:9469");
}

TEST(AgentConfig, InvalidYamlReportsItsPosition) {
  const AgentParse result = parseAgent("slots: 2\nengine: {kind: buildah\n");
  ASSERT_FALSE(result.config);
  ASSERT_EQ(result.diagnostics.all().size(), 1u);
  EXPECT_THAT(result.diagnostics.str(), HasSubstr("agent.yaml:3:1: error: invalid YAML"));
}

TEST(AgentConfig, EveryErrorIsReportedNotOnlyTheFirst) {
  const AgentParse result = parseAgent("slots: 0\nshutdownTimeout: x\nbogus: 1\n");
  EXPECT_EQ(result.diagnostics.all().size(), 3u) << result.diagnostics.str();
}

TEST(AgentConfig, AzureQueue) {
  const AgentConfig config = validAgent(R"(queue:
  kind: azure
  azure:
    endpoint: https://acct.queue.core.windows.net
    name: builds
    auth: {managedIdentity: {}}
    blobEndpoint: https://acct.blob.core.windows.net
    visibilityTimeout: 120
)");
  ASSERT_EQ(config.queue.kind, QueueKind::Azure);
  ASSERT_TRUE(config.queue.azure);
  EXPECT_EQ(config.queue.azure->endpoint, "https://acct.queue.core.windows.net");
  EXPECT_EQ(config.queue.azure->name, "builds");
  ASSERT_TRUE(config.queue.azure->auth.managedIdentity);
  EXPECT_TRUE(config.queue.azure->auth.managedIdentity->clientId.empty());
  EXPECT_EQ(config.queue.azure->container, "hangar");
  EXPECT_EQ(config.queue.azure->visibilityTimeout, 120);
  EXPECT_EQ(config.queue.azure->maxDequeueCount, 5);

  // Azurite on loopback may use plain http.
  EXPECT_TRUE(
      validAgent("queue: {kind: azure, azure: {endpoint: 'http://127.0.0.1:10001/devstoreaccount1', name: q, "
                 "auth: {sharedKeyEnv: AZURITE_KEY}}}\n")
          .queue.azure);
  EXPECT_TRUE(
      failsAt(parseAgent("queue: {kind: azure, azure: {endpoint: 'http://acct.example', name: q, auth: "
                         "{sasFile: /etc/sas}}}\n"),
              1, 40, "must be an https:// URL"));
  EXPECT_TRUE(
      failsAt(parseAgent("queue: {kind: azure}\n"), 1, 1, "queue kind 'azure' needs an 'azure' section"));
  EXPECT_TRUE(failsAt(parseAgent("queue: {azure: {endpoint: 'https://a', name: q, auth: {sasEnv: S}}}\n"), 1,
                      9, "queue 'azure' applies only to kind: azure"));
  EXPECT_TRUE(
      failsAt(parseAgent("queue: {kind: azure, path: /q, azure: {endpoint: 'https://a', name: q, auth: "
                         "{sasEnv: S}}}\n"),
              1, 22, "'path' applies only to kind: spool"));
  EXPECT_TRUE(
      failsAt(parseAgent("queue: {kind: azure, azure: {endpoint: 'https://a', name: q, auth: {sasEnv: S, "
                         "sharedKeyEnv: K}}}\n"),
              1, 62, "exactly one of managedIdentity, sharedKeyFile"));
  EXPECT_TRUE(
      failsAt(parseAgent("queue: {kind: azure, azure: {endpoint: 'https://a', name: q, auth: {sharedKey: "
                         "c2VjcmV0}}}\n"),
              1, 69, "inline secret 'sharedKey' in queue.azure.auth is refused"));
  EXPECT_TRUE(failsAt(parseAgent("queue: {kind: azure, azure: {name: q, auth: {sasEnv: S}}}\n"), 1, 22,
                      "queue.azure needs 'endpoint'"));
}

TEST(AgentConfig, LoadReadsAFileAndReportsItsName) {
  test::TempDir dir;
  const auto good = dir.write("agent.yaml", "slots: 4\n");
  EXPECT_EQ(loadAgentConfig(good).slots, 4);

  const auto bad = dir.write("bad.yaml", "slots: 4\nslot: 5\n");
  try {
    loadAgentConfig(bad);
    FAIL() << "no error";
  } catch (const TaskError& e) {
    EXPECT_THAT(e.what(), HasSubstr(bad.string() + ":2:1: error: unknown key 'slot'"));
    ASSERT_EQ(e.diagnostics().all().size(), 1u);
  }

  try {
    loadAgentConfig(dir.path() / "missing.yaml");
    FAIL() << "no error";
  } catch (const TaskError& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("missing.yaml: error: cannot read the agent configuration: No such file"));
  }
}

TEST(AgentConfig, DefaultPathComesFromTheEnvironment) {
  const char* saved = getenv("HANGAR_CONFIG");
  const std::string savedValue = saved ? saved : "";
  unsetenv("HANGAR_CONFIG");
  EXPECT_EQ(defaultAgentConfigPath(), "/etc/hangar/agent.yaml");
  setenv("HANGAR_CONFIG", "/tmp/x.yaml", 1);
  EXPECT_EQ(defaultAgentConfigPath(), "/tmp/x.yaml");
  setenv("HANGAR_CONFIG", "", 1);
  EXPECT_EQ(defaultAgentConfigPath(), "/etc/hangar/agent.yaml");
  if (saved)
    setenv("HANGAR_CONFIG", savedValue.c_str(), 1);
  else
    unsetenv("HANGAR_CONFIG");
}

}  // namespace
}  // namespace hangar::config
