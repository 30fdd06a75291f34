// runTask with real buildah, where another buildah process untags the run's freshly built image before
// its push (what a concurrent untag of the same content does to buildah's read-and-rewrite of an image's
// names): the push step gives the name back to the image the run built and pushes it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runner/task_run.hpp"
#include "runner/task_run_buildah_test_helper.hpp"
#include "tests/support/busybox_image.hpp"
#include "tests/support/command.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using namespace buildah_test;

TEST_F(TaskRunBuildahTest, APushWhoseNameAnotherProcessRemovedTagsTheBuiltImageAgain) {
  test::LocalRegistry registry;
  test::TempDir context;
  fs::copy_file(test::static_busybox(), context.path() / "busybox");
  const std::string label = uniqueId("hangar-retag-");
  context.write("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\nLABEL hangar.test=" + label + "\n");
  const std::string remote = registry.host() + "/retag/app:v1";
  const std::string keep = "localhost/hangar-test/" + label + ":keep";  // keeps the image alive
  // On its first push, the wrapper does what the other process does: the image keeps another name, the
  // pushed one goes. Then buildah pushes (and fails: "image not known").
  wrapBuildahWith(
      "for arg in \"$@\"; do case $arg in push) sub=push; break;; esac; done\n"
      "if [ \"$sub\" = push ] && mkdir '" +
      (marks() / "untagged").string() +
      "' 2>/dev/null; then\n"
      "  buildah --storage-driver vfs tag '" +
      remote + "' '" + keep + "' && buildah --storage-driver vfs rmi '" + remote +
      "' >/dev/null || exit 99\n"
      "fi\n");
  request.contextDir = context.path();
  request.registry = registry.host();
  auto build = step("build", config::StepKind::Build);
  build.build = "-t " + remote + " .";
  auto push = step("push", config::StepKind::Push);
  push.push = {remote};
  request.task.steps = {build, push};

  const auto record = run();
  test::run_command(buildah({"rmi", keep, remote}));

  ASSERT_EQ(record.status, RunStatus::Succeeded) << record.error << "\n" << log.text();
  EXPECT_TRUE(fs::exists(marks() / "untagged"));  // the name really was taken away before the first push
  EXPECT_THAT(log.outputOf("push"), HasSubstr("image not known"));
  EXPECT_THAT(log.text(), HasSubstr("Step ID: push: " + remote +
                                    " lost its name to another buildah process; tagging image "));
  ASSERT_EQ(record.outputImages.size(), 1u);
  EXPECT_EQ(record.outputImages[0].digest, registry.manifest_digest("retag/app", "v1"));
}

}  // namespace
}  // namespace hangar::runner
