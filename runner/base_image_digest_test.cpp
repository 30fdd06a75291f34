#include "runner/base_image_digest.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/busybox_image.hpp"
#include "tests/support/local_registry.hpp"
#include "tests/support/stand_in_images.hpp"

namespace hangar::runner {
namespace {

using ::testing::HasSubstr;

TEST(MirroredImage, TheLongestMatchingPrefixIsReplaced) {
  const std::map<std::string, std::string> mirrors = {{"mcr.microsoft.com", "127.0.0.1:5000/mcr"},
                                                      {"mcr.microsoft.com/acr", "127.0.0.1:5000/acr"},
                                                      {"docker.io", "127.0.0.1:5000/hub"}};
  EXPECT_EQ(mirroredImage("mcr.microsoft.com/hello-world", mirrors), "127.0.0.1:5000/mcr/hello-world:latest");
  EXPECT_EQ(mirroredImage("mcr.microsoft.com/acr/bash:1", mirrors), "127.0.0.1:5000/acr/bash:1");
  EXPECT_EQ(mirroredImage("bash:3.0", mirrors), "127.0.0.1:5000/hub/library/bash:3.0");
  EXPECT_EQ(mirroredImage("mcr.microsoft.com.evil/x", mirrors), "mcr.microsoft.com.evil/x:latest");
  EXPECT_EQ(mirroredImage("quay.io/a/b:2", {}), "quay.io/a/b:2");
}

TEST(RegistryDigestLookup, AsksTheMirrorWithTheRunsCredentials) {
  test::LocalRegistry registry;
  test::build_and_push_busybox_image(test::busybox_base_image(), registry.host() + "/mcr/busy:1");
  RegistryDigestLookup lookup({{"mcr.microsoft.com", registry.host() + "/mcr"}}, registry.host(), {},
                              nullptr);

  std::string why;
  EXPECT_EQ(lookup.digest("mcr.microsoft.com/busy:1", why), registry.manifest_digest("mcr/busy", "1")) << why;
  EXPECT_EQ(lookup.digest("mcr.microsoft.com/missing:1", why), "");
  EXPECT_THAT(why, HasSubstr("is not in its registry"));
  EXPECT_EQ(lookup.digest("quay.io/elsewhere/x:1", why), "");  // never asked: not a registry of the run
  EXPECT_THAT(why, HasSubstr("quay.io is not a registry this run uses"));
  test::remove_local_images(registry.host() + "/");
}

}  // namespace
}  // namespace hangar::runner
