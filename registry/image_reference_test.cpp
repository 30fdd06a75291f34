#include "registry/image_reference.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace hangar::registry {
namespace {

using ::testing::HasSubstr;

const std::string kSha = "sha256:" + std::string(64, 'a');

// The message of the std::invalid_argument thrown when parsing `text`, or "" when it parses.
std::string parseError(std::string_view text) {
  try {
    ImageReference::parse(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(ImageReference, SingleNameGetsDockerHubAndLibrary) {
  const auto ref = ImageReference::parse("busybox");
  EXPECT_EQ(ref.registry, "docker.io");
  EXPECT_EQ(ref.repository, "library/busybox");
  EXPECT_EQ(ref.tag, "");
  EXPECT_EQ(ref.digest, "");
  EXPECT_EQ(ref.name(), "docker.io/library/busybox");
  EXPECT_EQ(ref.str(), "docker.io/library/busybox");
}

TEST(ImageReference, TwoComponentsWithoutDomainStayOnDockerHub) {
  const auto ref = ImageReference::parse("team/app:1.0");
  EXPECT_EQ(ref.registry, "docker.io");
  EXPECT_EQ(ref.repository, "team/app");
  EXPECT_EQ(ref.tag, "1.0");
}

TEST(ImageReference, DockerHubSpellingsNormalise) {
  EXPECT_EQ(ImageReference::parse("docker.io/busybox").str(), "docker.io/library/busybox");
  EXPECT_EQ(ImageReference::parse("index.docker.io/busybox:1").str(), "docker.io/library/busybox:1");
  EXPECT_EQ(ImageReference::parse("index.docker.io/team/app").str(), "docker.io/team/app");
  EXPECT_EQ(ImageReference::parse("docker.io/library/busybox").str(), "docker.io/library/busybox");
}

TEST(ImageReference, LibraryPrefixOnlyOnDockerHub) {
  const auto ref = ImageReference::parse("myreg.azurecr.io/app:v1");
  EXPECT_EQ(ref.registry, "myreg.azurecr.io");
  EXPECT_EQ(ref.repository, "app");
  EXPECT_EQ(ref.str(), "myreg.azurecr.io/app:v1");
}

TEST(ImageReference, DomainDetection) {
  EXPECT_EQ(ImageReference::parse("localhost/app").registry, "localhost");
  EXPECT_EQ(ImageReference::parse("localhost:5000/app").registry, "localhost:5000");
  EXPECT_EQ(ImageReference::parse("example.com/app").registry, "example.com");
  EXPECT_EQ(ImageReference::parse("myhost:5000/a/b").registry, "myhost:5000");
  EXPECT_EQ(ImageReference::parse("127.0.0.1:5000/team/app:x").registry, "127.0.0.1:5000");
  // Uppercase first component: not a Docker Hub namespace, so a host (docker's rule).
  EXPECT_EQ(ImageReference::parse("MyHost/app").registry, "MyHost");
  // Plain word: a Docker Hub namespace.
  EXPECT_EQ(ImageReference::parse("myhost/app").registry, "docker.io");
  EXPECT_EQ(ImageReference::parse("myhost/app").repository, "myhost/app");
}

TEST(ImageReference, ColonWithoutSlashIsATag) {
  const auto ref = ImageReference::parse("localhost:5000");
  EXPECT_EQ(ref.registry, "docker.io");
  EXPECT_EQ(ref.repository, "library/localhost");
  EXPECT_EQ(ref.tag, "5000");
}

TEST(ImageReference, PortAndTag) {
  const auto ref = ImageReference::parse("127.0.0.1:5000/hello-world:v2.1_rc-3");
  EXPECT_EQ(ref.registry, "127.0.0.1:5000");
  EXPECT_EQ(ref.repository, "hello-world");
  EXPECT_EQ(ref.tag, "v2.1_rc-3");
  EXPECT_EQ(ref.str(), "127.0.0.1:5000/hello-world:v2.1_rc-3");
}

TEST(ImageReference, Ipv6Hosts) {
  const auto ref = ImageReference::parse("[::1]:5000/app:tag");
  EXPECT_EQ(ref.registry, "[::1]:5000");
  EXPECT_EQ(ref.repository, "app");
  EXPECT_EQ(ref.tag, "tag");
  EXPECT_EQ(ImageReference::parse("[fe80::1]/a").registry, "[fe80::1]");
  EXPECT_THAT(parseError("[::1/app"), HasSubstr("malformed"));
  EXPECT_THAT(parseError("[zz::1]:5000/app"), HasSubstr("not a valid IPv6 address"));
  EXPECT_THAT(parseError("[::1]x/app"), HasSubstr("malformed"));
}

TEST(ImageReference, Digests) {
  const auto ref = ImageReference::parse("busybox@" + kSha);
  EXPECT_EQ(ref.tag, "");
  EXPECT_EQ(ref.digest, kSha);
  EXPECT_EQ(ref.str(), "docker.io/library/busybox@" + kSha);

  const auto both = ImageReference::parse("127.0.0.1:5000/app:v1@" + kSha);
  EXPECT_EQ(both.tag, "v1");
  EXPECT_EQ(both.digest, kSha);
  EXPECT_EQ(both.str(), "127.0.0.1:5000/app:v1@" + kSha);

  EXPECT_EQ(ImageReference::parse("a@sha512:" + std::string(128, '0')).digest,
            "sha512:" + std::string(128, '0'));
  EXPECT_EQ(ImageReference::parse("a@sha384:" + std::string(96, 'f')).digest,
            "sha384:" + std::string(96, 'f'));
}

TEST(ImageReference, BadDigests) {
  EXPECT_THAT(parseError("a@"), HasSubstr("digest is empty"));
  EXPECT_THAT(parseError("a@sha256"), HasSubstr("ALGORITHM:HEX"));
  EXPECT_THAT(parseError("a@sha256:abc"), HasSubstr("64 lowercase hex digits"));
  EXPECT_THAT(parseError("a@sha256:" + std::string(64, 'A')), HasSubstr("64 lowercase hex digits"));
  EXPECT_THAT(parseError("a@sha256:" + std::string(65, 'a')), HasSubstr("64 lowercase hex digits"));
  EXPECT_THAT(parseError("a@md5:" + std::string(32, 'a')), HasSubstr("unsupported digest algorithm \"md5\""));
  EXPECT_THAT(parseError("a@" + kSha + "@" + kSha), HasSubstr("lowercase hex"));
}

TEST(ImageReference, UppercaseRepositoryIsAnError) {
  const auto message = parseError("Team/App");
  // "Team" is taken as a host, so the repository "App" breaks the lowercase rule.
  EXPECT_THAT(message, HasSubstr("\"Team/App\""));
  EXPECT_THAT(message, HasSubstr("repository name \"App\" must be lowercase"));
  EXPECT_THAT(parseError("BusyBox"), HasSubstr("must be lowercase"));
  EXPECT_THAT(parseError("myreg.azurecr.io/team/MyApp:1"),
              HasSubstr("repository name \"team/MyApp\" must be lowercase"));
}

TEST(ImageReference, RepositoryComponentGrammar) {
  for (const char* good : {"a", "a.b", "a_b", "a__b", "a-b", "a---b", "a1/b2.c_d__e-f", "0/9"}) {
    EXPECT_EQ(parseError(good), "") << good;
  }
  for (const char* bad : {"a_", "_a", "a.", ".a", "a..b", "a___b", "a._b", "a-_b", "a//b", "a/", "/a", "a b",
                          "a+b", "x.io/", "x.io//a"}) {
    EXPECT_THAT(parseError(bad), HasSubstr("invalid image reference")) << bad;
  }
}

TEST(ImageReference, TagGrammar) {
  EXPECT_EQ(ImageReference::parse("a:_x").tag, "_x");
  EXPECT_EQ(ImageReference::parse("a:Latest").tag, "Latest");
  EXPECT_EQ(ImageReference::parse("a:" + std::string(128, 'x')).tag.size(), 128u);
  EXPECT_THAT(parseError("a:" + std::string(129, 'x')), HasSubstr("longer than 128"));
  EXPECT_THAT(parseError("a:"), HasSubstr("tag is empty"));
  EXPECT_THAT(parseError("a:.x"), HasSubstr("must match"));
  EXPECT_THAT(parseError("a:-x"), HasSubstr("must match"));
  EXPECT_THAT(parseError("a:x:y"), HasSubstr("must match"));
  EXPECT_THAT(parseError("a:x/y"), HasSubstr("invalid image reference"));
}

TEST(ImageReference, HostGrammar) {
  EXPECT_THAT(parseError("my-.host.io/a"), HasSubstr("registry host \"my-.host.io\""));
  EXPECT_THAT(parseError("-my.host.io/a"), HasSubstr("registry host"));
  EXPECT_THAT(parseError("host..io/a"), HasSubstr("registry host"));
  EXPECT_THAT(parseError("host.io:port/a"), HasSubstr("registry port \"port\" must be a number"));
  EXPECT_THAT(parseError("host.io:/a"), HasSubstr("registry port \"\" must be a number"));
  EXPECT_THAT(parseError("a:1:2/b"), HasSubstr("malformed"));
  EXPECT_EQ(ImageReference::parse("My-Reg.Example.COM:443/a").registry, "My-Reg.Example.COM:443");
}

TEST(ImageReference, OtherErrors) {
  EXPECT_THAT(parseError(""), HasSubstr("reference is empty"));
  EXPECT_THAT(parseError(std::string(64, 'a')), HasSubstr("image id"));
  EXPECT_EQ(parseError(std::string(63, 'a')), "");
  EXPECT_THAT(parseError("x.io/" + std::string(251, 'a')), HasSubstr("longer than 255"));
  EXPECT_EQ(parseError("x.io/" + std::string(250, 'a')), "");
}

TEST(ImageReference, WithDefaultTag) {
  EXPECT_EQ(ImageReference::parse("busybox").withDefaultTag().str(), "docker.io/library/busybox:latest");
  EXPECT_EQ(ImageReference::parse("busybox:1").withDefaultTag().tag, "1");
  const auto byDigest = ImageReference::parse("busybox@" + kSha).withDefaultTag();
  EXPECT_EQ(byDigest.tag, "");
  EXPECT_EQ(byDigest.digest, kSha);
}

TEST(ImageReference, StrParsesBackToTheSameReference) {
  for (const std::string& text :
       std::vector<std::string>{"busybox", "a/b:c", "[::1]:5000/x/y:z@" + kSha, "localhost/p@" + kSha}) {
    const auto ref = ImageReference::parse(text);
    EXPECT_EQ(ImageReference::parse(ref.str()), ref) << text;
  }
}

TEST(IsLoopbackRegistry, Loopback) {
  for (const char* host : {"localhost", "localhost:5000", "LocalHost", "127.0.0.1", "127.0.0.1:5000",
                           "127.1.2.3:80", "::1", "[::1]", "[::1]:5000", "[::ffff:127.0.0.1]:5000"}) {
    EXPECT_TRUE(isLoopbackRegistry(host)) << host;
  }
}

TEST(IsLoopbackRegistry, NotLoopback) {
  for (const char* host : {"", "docker.io", "myreg.azurecr.io", "128.0.0.1", "10.0.0.1:5000",
                           "localhost.example.com", "127.0.0.1.example.com", "127.0.0.1:abc", "[::2]:5000",
                           "::2", "[::1", "[::1]x", "localhost:", "1270.0.0.1", "[::ffff:10.0.0.1]"}) {
    EXPECT_FALSE(isLoopbackRegistry(host)) << host;
  }
}

}  // namespace
}  // namespace hangar::registry
