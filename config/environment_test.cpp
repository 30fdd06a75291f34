#include "config/environment.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hangar::config {
namespace {

using ::testing::ElementsAre;

TEST(Environment, EnvName) {
  EXPECT_EQ(envName("A=1"), "A");
  EXPECT_EQ(envName("A=1=2"), "A");
  EXPECT_EQ(envName("A="), "A");
  EXPECT_EQ(envName("A"), "A");
}

TEST(Environment, PreferredWinsAndOrderIsKept) {
  EXPECT_THAT(mergeEnv({"foo=bar", "eric=foo"}, {"foo=taskEnv", "x=1"}),
              ElementsAre("foo=bar", "eric=foo", "x=1"));
  EXPECT_THAT(mergeEnv({}, {"a=1", "b=2"}), ElementsAre("a=1", "b=2"));
  EXPECT_THAT(mergeEnv({"a=1"}, {}), ElementsAre("a=1"));
}

TEST(Environment, EntriesAreNotSplitOnCommas) {
  EXPECT_THAT(mergeEnv({}, {"JAVA_OPTS=-a,-b"}), ElementsAre("JAVA_OPTS=-a,-b"));
}

}  // namespace
}  // namespace hangar::config
