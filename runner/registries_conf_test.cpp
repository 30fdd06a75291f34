#include "runner/registries_conf.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

namespace hangar::runner {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(RegistriesConf, ShortNamesResolveOnDockerHub) {
  const auto text = RegistriesConf{}.render();
  EXPECT_THAT(text, HasSubstr("unqualified-search-registries = [\"docker.io\"]\n"));
  EXPECT_EQ(count(text, "[[registry]]"), 0u);
}

TEST(RegistriesConf, MirrorsArePrefixRewritesAndLoopbackLocationsAreInsecure) {
  RegistriesConf conf;
  conf.mirrors = {{"mcr.microsoft.com", "127.0.0.1:5000/mcr"}, {"docker.io", "mirror.example.com/hub"}};
  const auto text = conf.render();
  EXPECT_THAT(text,
              HasSubstr("[[registry]]\nprefix = \"mcr.microsoft.com\"\nlocation = \"127.0.0.1:5000/mcr\"\n"
                        "insecure = true\n"));
  EXPECT_THAT(text,
              HasSubstr("[[registry]]\nprefix = \"docker.io\"\nlocation = \"mirror.example.com/hub\"\n"));
  EXPECT_THAT(text, Not(HasSubstr("location = \"mirror.example.com/hub\"\ninsecure")));
  // The mirror's host itself is touched too (pushes of stand-in images, direct pulls).
  EXPECT_THAT(text, HasSubstr("[[registry]]\nlocation = \"127.0.0.1:5000\"\ninsecure = true\n"));
}

TEST(RegistriesConf, EveryLoopbackRegistryOnceAndNoOtherRegistry) {
  RegistriesConf conf;
  conf.registries = {"127.0.0.1:5000", "localhost:6000", "myreg.azurecr.io",
                     "docker.io",      "127.0.0.1:5000", "[::1]:7000"};
  conf.mirrors = {{"mcr.microsoft.com", "127.0.0.1:5000/mcr"}};
  const auto text = conf.render();
  EXPECT_EQ(count(text, "location = \"127.0.0.1:5000\""), 1u);
  EXPECT_THAT(text, HasSubstr("location = \"localhost:6000\"\ninsecure = true"));
  EXPECT_THAT(text, HasSubstr("location = \"[::1]:7000\"\ninsecure = true"));
  EXPECT_THAT(text, Not(HasSubstr("azurecr")));
  EXPECT_THAT(text, Not(HasSubstr("location = \"docker.io\"")));
}

TEST(RegistriesConf, ConfiguredInsecureRegistries) {
  RegistriesConf conf;
  conf.insecureRegistries = {"registry.internal:5000"};
  conf.mirrors = {{"mcr.microsoft.com", "registry.internal:5000/mcr"}};
  const auto text = conf.render();
  EXPECT_THAT(text, HasSubstr("location = \"registry.internal:5000/mcr\"\ninsecure = true"));
  EXPECT_THAT(text, HasSubstr("location = \"registry.internal:5000\"\ninsecure = true"));
}

TEST(RegistriesConf, AMirroredLoopbackPrefixGetsNoSecondTable) {
  RegistriesConf conf;
  conf.registries = {"127.0.0.1:5000"};
  conf.mirrors = {{"127.0.0.1:5000", "127.0.0.1:6000/copy"}};
  const auto text = conf.render();
  EXPECT_EQ(count(text, "\"127.0.0.1:5000\""), 1u);  // the prefix only: containers/image rejects duplicates
}

TEST(RegistriesConf, ValuesThatWouldBreakTheFileAreRejected) {
  for (const std::string bad : {"a\"b", "a b", "a\\b", "x\ny", ""}) {
    RegistriesConf conf;
    conf.mirrors = {{"mcr.microsoft.com", bad}};
    EXPECT_THROW(conf.render(), std::invalid_argument) << bad;
  }
  RegistriesConf conf;
  conf.insecureRegistries = {"bad host"};
  EXPECT_THROW(conf.render(), std::invalid_argument);
}

}  // namespace
}  // namespace hangar::runner
