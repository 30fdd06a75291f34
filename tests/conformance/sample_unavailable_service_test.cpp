// Conformance, task-format.md §6 examples 14-17: samples that need what cannot exist offline (Key Vault,
// a real `az` login, docker-in-docker, dotnet) or a second registry. They must run up to the step that
// needs the missing thing and fail there with a clear message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/conformance/conformance_fixture.hpp"
#include "tests/support/azure_play_server.hpp"
#include "tests/support/busybox_image.hpp"
#include "tests/support/local_registry.hpp"

namespace hangar::test {
namespace {

using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

using UnavailableServiceSample = ConformanceTest;

TEST_F(UnavailableServiceSample, ManagedIdentitiesFailsClearlyAtTheKeyVaultSecret) {
  const auto run = run_sample("managed-identities.yaml", {"--set", "registryName=" + registry_host()});

  EXPECT_EQ(run.exit_code(), 1) << run.describe();
  const std::string output = run.command.out + run.command.err;
  EXPECT_THAT(output, HasSubstr("name")) << run.describe();
  EXPECT_THAT(output, AnyOf(HasSubstr("Key Vault"), HasSubstr("keyvault"), HasSubstr("vault.azure.net")))
      << run.describe();
}

TEST_F(UnavailableServiceSample, ManagedIdentitiesResolvesTheSecretThenFailsAtTheDockerStep) {
  AzurePlayServer azure;  // plays IMDS (system-assigned identity) and the sample's Key Vault
  const std::string value = "kv-identity-secret-2b7c";
  azure.addSecret("SampleSecret", value);
  use_azure(azure.url());
  const auto run = run_sample("managed-identities.yaml", {"--set", "registryName=" + registry_host()});

  EXPECT_EQ(run.exit_code(), 1) << run.describe();
  // Step 0 sees the secret in its env; the docker-in-docker build (step 1) cannot run here.
  EXPECT_EQ(run.step("acb_step_0").at("status"), "Successful") << run.describe();
  EXPECT_THAT(run.log(), HasSubstr("Secret resolved")) << run.describe();
  EXPECT_EQ(run.step("acb_step_1").at("status"), "Failed") << run.describe();
  EXPECT_THAT(run.command.out + run.command.err, Not(HasSubstr(value)));
}

TEST_F(UnavailableServiceSample, MultipleRegistriesPushesToBothRegistries) {
  LocalRegistry second;
  const auto run = run_sample("multipleRegistries/testtask.yaml", {"--set", "REGISTRY1=" + registry_host(),
                                                                   "--set", "REGISTRY2=" + second.host()});

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  const std::string id = run.record.at("id");
  EXPECT_THAT(registry().tags("hello-world"), ElementsAre(id));
  EXPECT_THAT(second.tags("hello-world"), ElementsAre(id));
  ASSERT_THAT(run.record.at("outputImages"), SizeIs(2)) << run.describe();
  EXPECT_EQ(run.record.at("outputImages")[1].at("registry"), second.host()) << run.describe();
  remove_local_images(second.host() + "/");
}

TEST_F(UnavailableServiceSample, MultipleRegistriesFailsClearlyWhenTheSecondRegistryIsDown) {
  const std::string down = "127.0.0.1:9";  // discard port: nothing listens there
  const auto run = run_sample("multipleRegistries/testtask.yaml",
                              {"--set", "REGISTRY1=" + registry_host(), "--set", "REGISTRY2=" + down});

  EXPECT_EQ(run.exit_code(), 1) << run.describe();
  EXPECT_EQ(run.step("acb_step_1").at("status"), "Successful") << run.describe();
  EXPECT_EQ(run.step("acb_step_3").at("status"), "Failed") << run.describe();
  EXPECT_THAT(run.log(), HasSubstr(down + "/hello-world")) << run.describe();
  remove_local_images(down + "/");
}

TEST_F(UnavailableServiceSample, BuildxBuildsWithCacheAndPushes) {
  const auto run = run_sample("buildx.yml");

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  const std::string id = run.record.at("id");
  ASSERT_THAT(run.record.at("outputImages"), SizeIs(1)) << run.describe();
  EXPECT_EQ(run.record.at("outputImages")[0].at("digest"), registry().manifest_digest("hello-world", id));
  // `cache: enabled` is accepted without a warning; this Dockerfile (one FROM) has no layer to cache, so
  // no cache repository appears (TaskRunBuildahTest.CacheEnabledPushesTheLayerCacheToTheRegistry has one).
  EXPECT_THAT(run.log(), ::testing::Not(HasSubstr("cache: enabled"))) << run.describe();
}

TEST_F(UnavailableServiceSample, BuildAspnetappFailsClearlyAtTheDockerPull) {
  const auto context = samples() / "build-aspnetapp" / "WeatherService";
  const auto run = run_sample("acb.yaml", {}, context);

  EXPECT_EQ(run.exit_code(), 1) << run.describe();
  ASSERT_FALSE(run.record.is_null()) << run.describe();
  EXPECT_EQ(run.step("acb_step_0").at("status"), "Failed") << run.describe();
  // The failing step's error names what was missing: the docker-in-docker image.
  EXPECT_THAT(run.step("acb_step_0").value("error", ""), HasSubstr("docker")) << run.describe();
  // retries: 3 means four attempts, each logged.
  EXPECT_THAT(run.log(), HasSubstr("attempt 4 of 4")) << run.describe();
  EXPECT_THAT(registry().tags("weatherservice"), ::testing::IsEmpty());
}

}  // namespace
}  // namespace hangar::test
