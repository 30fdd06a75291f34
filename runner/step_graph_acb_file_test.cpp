// acr-builder's graph/testdata/acb.yaml, loaded from the conformance corpus exactly as a run loads it
// (config::loadTask), must give the graph its header documents (task-format.md §6 example 18):
//   root -> puller, root -> C -> B, root -> build-qux -> build-foo -> build-qaz, root -> build-bar.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/conformance_test_helper.hpp"
#include "config/task_loader.hpp"
#include "runner/step_graph.hpp"

namespace hangar::runner {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class AcbYamlGraph : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = config::testing::conformanceDir();
    if (!dir) {
      if (const char* ci = std::getenv("CI"); ci && std::string(ci) == "true")
        FAIL() << "the conformance corpus is missing";
      GTEST_SKIP() << "the conformance corpus (acr-builder/graph/testdata/acb.yaml) is not here";
    }
    const auto file = *dir / "acr-builder" / "graph" / "testdata" / "acb.yaml";
    std::ifstream in(file, std::ios::binary);
    ASSERT_TRUE(in) << file;
    std::ostringstream text;
    text << in.rdbuf();
    config::LoadOptions options;
    options.fileName = file.string();
    options.text = text.str();
    task_ = config::loadTask(options).task;
  }

  /// The ids of the parents of the step with this id.
  std::vector<std::string> parentsOf(const std::string& id) const {
    const auto graph = StepGraph::build(task_.steps);
    for (size_t i = 0; i < task_.steps.size(); ++i) {
      if (task_.steps[i].id != id) continue;
      std::vector<std::string> ids;
      for (size_t parent : graph.parents(i)) ids.push_back(task_.steps[parent].id);
      return ids;
    }
    ADD_FAILURE() << "no step " << id;
    return {};
  }

  const config::Step& step(const std::string& id) const {
    for (const auto& s : task_.steps)
      if (s.id == id) return s;
    throw std::out_of_range("no step " + id);
  }

  config::Task task_;
};

TEST_F(AcbYamlGraph, ComesOutAsItsHeaderSays) {
  ASSERT_EQ(task_.steps.size(), 7u);
  EXPECT_THAT(parentsOf("puller"), IsEmpty());
  EXPECT_THAT(parentsOf("build-qux"), IsEmpty());
  EXPECT_THAT(parentsOf("C"), IsEmpty());
  EXPECT_THAT(parentsOf("build-bar"), IsEmpty());
  EXPECT_THAT(parentsOf("B"), ElementsAre("C"));
  EXPECT_THAT(parentsOf("build-foo"), ElementsAre("build-qux"));
  // No `when`: after the step just before it in the file (build-foo), as acr-builder builds it.
  EXPECT_THAT(parentsOf("build-qaz"), ElementsAre("build-foo"));
  EXPECT_EQ(StepGraph::build(task_.steps).describe(task_.steps),
            "root -> puller, build-qux, C, build-bar\n"
            "build-qux -> build-foo\n"
            "C -> B\n"
            "build-foo -> build-qaz\n");
}

TEST_F(AcbYamlGraph, StepPropertiesAndEnvMerging) {
  // The step's foo=bar wins over the task's foo=taskEnv; the task entry is not added a second time.
  EXPECT_THAT(step("puller").env, ElementsAre("eric=foo", "foo=bar"));
  EXPECT_THAT(step("build-foo").env, ElementsAre("eric=foo", "foo=taskEnv"));
  EXPECT_EQ(step("puller").retries, 5);
  EXPECT_EQ(step("puller").retryDelay, 90);
  EXPECT_TRUE(step("puller").pull);
  EXPECT_EQ(step("build-foo").retryDelay, 5);  // the default where unset
  const auto& qaz = step("build-qaz");
  EXPECT_EQ(qaz.repeat, 2);
  EXPECT_TRUE(qaz.privileged);
  EXPECT_EQ(qaz.user, "root");
  EXPECT_EQ(qaz.network, "host");
  EXPECT_TRUE(step("build-qux").detach);
  EXPECT_EQ(step("build-qux").startDelay, 50);
  EXPECT_TRUE(step("B").ignoreErrors);
  EXPECT_TRUE(step("C").keep);
  EXPECT_THAT(step("C").ports, ElementsAre("8000:8000", "8080:8080"));
}

}  // namespace
}  // namespace hangar::runner
