// Conformance, task-format.md §6 examples 1-4 and 8: the `when` graph of the real samples, seen in the
// order of their output and in the start and finish times of the run record.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/conformance/conformance_fixture.hpp"
#include "tests/conformance/log_lines.hpp"
#include "tests/conformance/step_times.hpp"

namespace hangar::test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

class OrderingSample : public ConformanceTest {
 protected:
  /// Asserts the three echo steps printed one, two, three in that order and ran one after another.
  void expect_one_two_three(const SampleRun& run, const std::vector<std::string>& ids) {
    ASSERT_EQ(run.exit_code(), 0) << run.describe();
    ASSERT_EQ(run.record.at("status"), "Succeeded") << run.describe();
    ASSERT_THAT(run.record.at("steps"), SizeIs(3)) << run.describe();
    const auto one = line_ending_with(run.log(), "one");
    ASSERT_TRUE(one) << "no line printed 'one'\n" << run.describe();
    const auto two = line_ending_with(run.log(), "two", *one + 1);
    ASSERT_TRUE(two) << "no 'two' after 'one'\n" << run.describe();
    EXPECT_TRUE(line_ending_with(run.log(), "three", *two + 1)) << "no 'three' after 'two'\n"
                                                                << run.describe();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      EXPECT_EQ(run.step(ids[i]).at("status"), "Successful") << run.describe();
      if (i > 0) {
        EXPECT_TRUE(
            finished_before_start(StepInterval::of(run.step(ids[i - 1])), StepInterval::of(run.step(ids[i]))))
            << ids[i] << " started before " << ids[i - 1] << " finished\n"
            << run.describe();
      }
    }
  }

  /// Asserts the two `when: ["-"]` builds both succeeded and ran at the same time.
  void expect_parallel_builds(const SampleRun& run, const std::string& first, const std::string& second) {
    const auto a = StepInterval::of(run.step(first));
    const auto b = StepInterval::of(run.step(second));
    EXPECT_EQ(run.step(first).at("status"), "Successful") << run.describe();
    EXPECT_EQ(run.step(second).at("status"), "Successful") << run.describe();
    EXPECT_TRUE(overlap(a, b)) << first << " and " << second << " did not overlap in time\n"
                               << run.describe();
  }
};

TEST_F(OrderingSample, WhenSequentialDefaultPrintsOneTwoThreeInOrder) {
  const auto run = run_sample("when-sequential-default.yaml");
  expect_one_two_three(run, {"acb_step_0", "acb_step_1", "acb_step_2"});
}

TEST_F(OrderingSample, WhenSequentialIdPrintsOneTwoThreeInOrder) {
  const auto run = run_sample("when-sequential-id.yaml");
  expect_one_two_three(run, {"step1", "step2", "step3"});
}

TEST_F(OrderingSample, WhenParallelBuildsBothAtOnceAndPushesNothing) {
  const auto run = run_sample("when-parallel.yaml");

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  EXPECT_EQ(run.record.at("status"), "Succeeded");
  expect_parallel_builds(run, "build-hello-world", "build-hello-world-test");
  EXPECT_THAT(run.record.at("outputImages"), IsEmpty()) << run.describe();
  EXPECT_THAT(registry().catalog(), ::testing::Not(::testing::Contains("hello-world")));
}

TEST_F(OrderingSample, WhenParallelDependentRunsTheGraphAndPushesWithDigest) {
  const auto run = run_sample("when-parallel-dependent.yaml");

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  EXPECT_EQ(run.record.at("status"), "Succeeded");
  expect_parallel_builds(run, "build-hello-world", "build-hello-world-test");
  const auto step = [&](const char* id) { return StepInterval::of(run.step(id)); };
  EXPECT_TRUE(finished_before_start(step("build-hello-world"), step("hello-world"))) << run.describe();
  EXPECT_TRUE(finished_before_start(step("hello-world"), step("func-tests"))) << run.describe();
  EXPECT_TRUE(finished_before_start(step("func-tests"), step("acb_step_4"))) << run.describe();
  EXPECT_THAT(run.log(), HasSubstr("Hello from Docker!"));

  const std::string id = run.record.at("id");
  ASSERT_THAT(run.record.at("outputImages"), SizeIs(1)) << run.describe();
  const auto& image = run.record.at("outputImages")[0];
  EXPECT_EQ(image.at("registry"), registry_host());
  EXPECT_EQ(image.at("repository"), "hello-world");
  EXPECT_EQ(image.at("tag"), id);
  EXPECT_THAT(image.at("digest").get<std::string>(), StartsWith("sha256:"));
  EXPECT_EQ(image.at("digest"), registry().manifest_digest("hello-world", id));
  ASSERT_THAT(run.record.at("dependencies"), ::testing::Not(IsEmpty())) << run.describe();
  const auto& runtime = run.record.at("dependencies")[0].at("runtime");
  EXPECT_EQ(runtime.at("registry"), "mcr.microsoft.com") << run.describe();
  EXPECT_EQ(runtime.at("repository"), "hello-world") << run.describe();
  EXPECT_EQ(runtime.at("tag"), "latest") << run.describe();
}

TEST_F(OrderingSample, BuildTestHelloWorldRunsTheBuiltImagesAfterTheirBuilds) {
  const auto run = run_sample("build-test-hello-world.yaml");

  ASSERT_EQ(run.exit_code(), 0) << run.describe();
  expect_parallel_builds(run, "build-hello-world", "build-hello-world-test");
  const auto step = [&](const char* id) { return StepInterval::of(run.step(id)); };
  EXPECT_TRUE(finished_before_start(step("build-hello-world"), step("hello-world"))) << run.describe();
  EXPECT_TRUE(finished_before_start(step("hello-world"), step("func-tests"))) << run.describe();
  EXPECT_THAT(run.log(), HasSubstr("Hello from Docker!"));
}

TEST_F(OrderingSample, BuildTestUpdateFollowsTheDagAndFailsAtTheHelmStep) {
  const auto run = run_sample("build-test-update-hello-world.yaml");

  EXPECT_EQ(run.exit_code(), 1) << run.describe();
  ASSERT_FALSE(run.record.is_null()) << run.describe();
  EXPECT_EQ(run.record.at("status"), "Failed");
  ASSERT_THAT(run.record.at("steps"), SizeIs(6)) << run.describe();
  EXPECT_EQ(run.step("acb_step_1").at("status"), "Successful") << run.describe();

  // A step without `when` waits for the step before it in the file: hello-world waits for the second build
  // only, never for the first one, which builds the image hello-world runs. That race is in the sample itself
  // and ACR Tasks runs it the same way, so both of its outcomes are checked for what each one must show.
  const auto step = [&](const char* id) { return StepInterval::of(run.step(id)); };
  EXPECT_TRUE(finished_before_start(step("acb_step_1"), step("hello-world"))) << run.describe();
  EXPECT_THAT(run.log(), HasSubstr("warning: step 'hello-world' runs " + registry_host() +
                                   "/hello-world:" + run.record.at("id").get<std::string>() +
                                   ", which step 'acb_step_0' builds"));
  if (run.step("hello-world").at("status") != "Successful") {
    // hello-world looked for its image before the first build had made it: it fails to pull it, the run
    // stops there.
    EXPECT_EQ(run.step("hello-world").at("status"), "Failed") << run.describe();
    EXPECT_FALSE(run.step("acb_step_0").at("status") == "Successful" &&
                 finished_before_start(step("acb_step_0"), step("hello-world")))
        << "hello-world failed although its image was built before it started\n"
        << run.describe();
    EXPECT_THAT(run.log(), HasSubstr("manifest unknown")) << run.describe();
    for (const char* id : {"func-tests", "acb_step_4", "acb_step_5"})
      EXPECT_EQ(run.step(id).at("status"), "Skipped") << id << "\n" << run.describe();
    EXPECT_THAT(registry().catalog(), ::testing::Not(::testing::Contains("hello-world")));
    return;
  }

  // The helm image is not in the (mirrored) registry: the last step fails and so does the run.
  for (const char* id : {"acb_step_0", "hello-world", "func-tests", "acb_step_4"})
    EXPECT_EQ(run.step(id).at("status"), "Successful") << id << "\n" << run.describe();
  EXPECT_EQ(run.step("acb_step_5").at("status"), "Failed") << run.describe();
  EXPECT_THAT(run.log(), HasSubstr("cmd.azurecr.io/helm:v2.11.0-rc.2"));
  expect_parallel_builds(run, "acb_step_0", "acb_step_1");
  EXPECT_TRUE(finished_before_start(step("hello-world"), step("func-tests"))) << run.describe();
  EXPECT_TRUE(finished_before_start(step("func-tests"), step("acb_step_4"))) << run.describe();
  EXPECT_TRUE(finished_before_start(step("acb_step_4"), step("acb_step_5"))) << run.describe();
  EXPECT_THAT(registry().tags("hello-world"), ::testing::ElementsAre(run.record.at("id").get<std::string>()));
}

}  // namespace
}  // namespace hangar::test
