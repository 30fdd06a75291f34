// Conformance, task-format.md §6 examples 5-7: the build, push and build-run samples, with the push log,
// the output images and the digests the registry serves.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/conformance/conformance_fixture.hpp"

namespace hangar::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

using BuildPushSample = ConformanceTest;

TEST_F(BuildPushSample, BuildHelloWorldBuildsWithoutPushing) {
  const auto run = run_sample("build-hello-world.yaml");

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  EXPECT_EQ(run.step("acb_step_0").at("status"), "Successful") << run.describe();
  EXPECT_THAT(run.record.at("outputImages"), IsEmpty()) << run.describe();
  EXPECT_THAT(registry().tags("hello-world"), IsEmpty());
}

TEST_F(BuildPushSample, BuildPushHelloWorldLogsTheFirstAttemptAndRecordsTheDigest) {
  const auto run = run_sample("build-push-hello-world.yaml");

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  const std::string id = run.record.at("id");
  const std::string reference = registry_host() + "/hello-world:" + id;
  EXPECT_THAT(run.log(), HasSubstr("Pushing image: " + reference + ", attempt 1"));
  ASSERT_THAT(run.record.at("outputImages"), SizeIs(1)) << run.describe();
  const auto& image = run.record.at("outputImages")[0];
  EXPECT_EQ(image.at("tag"), id);
  EXPECT_EQ(image.at("digest"), registry().manifest_digest("hello-world", id));
  ASSERT_THAT(run.record.at("dependencies"), SizeIs(1)) << run.describe();
  const auto& dependency = run.record.at("dependencies")[0];
  EXPECT_EQ(dependency.at("image"), reference) << run.describe();
  EXPECT_THAT(dependency.at("runtime").at("digest").get<std::string>(), StartsWith("sha256:"))
      << run.describe();
}

TEST_F(BuildPushSample, BuildPushHelloWorldMultiPushesTwoTagsOfOneDigest) {
  const auto run = run_sample("build-push-hello-world-multi.yaml");

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  const std::string id = run.record.at("id");
  EXPECT_THAT(registry().tags("hello-world"), UnorderedElementsAre(id, "latest"));
  ASSERT_THAT(run.record.at("outputImages"), SizeIs(2)) << run.describe();
  const auto& images = run.record.at("outputImages");
  EXPECT_THAT((std::vector<std::string>{images[0].at("tag"), images[1].at("tag")}),
              UnorderedElementsAre(id, "latest"));
  EXPECT_EQ(images[0].at("digest"), images[1].at("digest")) << run.describe();
  EXPECT_EQ(images[0].at("digest"), registry().manifest_digest("hello-world", "latest"));
}

TEST_F(BuildPushSample, SimpleTaskBuildsAndPushes) {
  const auto run = run_sample("simpletask.yaml");

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  const std::string id = run.record.at("id");
  EXPECT_THAT(registry().tags("hello-world"), ElementsAre(id));
  ASSERT_THAT(run.record.at("outputImages"), SizeIs(1)) << run.describe();
  EXPECT_EQ(run.record.at("outputImages")[0].at("digest"), registry().manifest_digest("hello-world", id));
}

TEST_F(BuildPushSample, BuildRunHelloWorldRunsTheImageItBuilt) {
  const auto run = run_sample("build-run-hello-world.yaml");

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  EXPECT_EQ(run.step("acb_step_2").at("status"), "Successful") << run.describe();
  EXPECT_THAT(run.log(), HasSubstr("Hello from Docker!"));
  EXPECT_THAT(registry().tags("hello-world"), ElementsAre(run.record.at("id").get<std::string>()));
}

}  // namespace
}  // namespace hangar::test
