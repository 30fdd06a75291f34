#include "runner/build_cache.hpp"

#include <gtest/gtest.h>

namespace hangar::runner {
namespace {

TEST(BuildCache, TheFirstTagNamingARegistryGivesTheRepository) {
  EXPECT_EQ(buildCacheRepository({"local-only:1", "myreg.azurecr.io/team/app:v2"}, "other.azurecr.io", "",
                                 "acb_step_0"),
            "myreg.azurecr.io/team/app/cache_quickrun_acb_step_0");
  EXPECT_EQ(buildCacheRepository({"127.0.0.1:5000/hello-world@sha256:abc"}, "", "nightly", "build"),
            "127.0.0.1:5000/hello-world/cache_nightly_build");
  EXPECT_EQ(buildCacheRepository({"localhost/app"}, "", "", "b"), "localhost/app/cache_quickrun_b");
}

TEST(BuildCache, WithoutAHostTheRunRegistryIsUsed) {
  EXPECT_EQ(buildCacheRepository({"hello-world:1"}, "127.0.0.1:5000", "", "acb_step_0"),
            "127.0.0.1:5000/hello-world/cache_quickrun_acb_step_0");
}

TEST(BuildCache, IdsAreMadeValidRepositoryNames) {
  EXPECT_EQ(buildCacheRepository({"r.io/app:1"}, "", "Web Nightly", "myCustomStepID"),
            "r.io/app/cache_web_nightly_mycustomstepid");
}

TEST(BuildCache, NoTagOrNoRegistryMeansNoCache) {
  EXPECT_EQ(buildCacheRepository({}, "r.io", "", "b"), std::nullopt);
  EXPECT_EQ(buildCacheRepository({"app:1"}, "", "", "b"), std::nullopt);
}

}  // namespace
}  // namespace hangar::runner
