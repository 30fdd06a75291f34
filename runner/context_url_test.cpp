#include "runner/context_url.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace hangar::runner {
namespace {

TEST(ContextUrl, HttpsWithRefAndSubdir) {
  ContextUrl url = parseContextUrl("https://github.com/Azure/acr-builder.git#main:docs/sub/");
  EXPECT_EQ(url.kind, ContextKind::Git);
  EXPECT_EQ(url.url, "https://github.com/Azure/acr-builder.git");
  EXPECT_EQ(url.ref, "main");
  EXPECT_EQ(url.subdir, "docs/sub");
  EXPECT_FALSE(url.password);
  EXPECT_EQ(url.display(), "https://github.com/Azure/acr-builder.git#main:docs/sub");
}

TEST(ContextUrl, AzureDevOpsGitUrlWithPatIsStripped) {
  ContextUrl url =
      parseContextUrl("https://me:s3cr%40t@dev.azure.com/org/project/_git/repo#refs/pull/12/head");
  EXPECT_EQ(url.url, "https://dev.azure.com/org/project/_git/repo");
  EXPECT_EQ(url.username, "me");
  EXPECT_EQ(url.password, "s3cr@t");
  EXPECT_EQ(url.ref, "refs/pull/12/head");
  EXPECT_EQ(url.display().find("s3cr"), std::string::npos);
}

TEST(ContextUrl, ScpLikeSsh) {
  ContextUrl url = parseContextUrl("git@github.com:org/repo.git#v1.2");
  EXPECT_EQ(url.kind, ContextKind::Git);
  EXPECT_EQ(url.url, "git@github.com:org/repo.git");
  EXPECT_EQ(url.username, "git");
  EXPECT_EQ(url.ref, "v1.2");
  EXPECT_TRUE(url.subdir.empty());
}

TEST(ContextUrl, SshGitAndFileSchemes) {
  ContextUrl ssh = parseContextUrl("ssh://git:pw@host:2222/org/repo.git#abc1234");
  EXPECT_EQ(ssh.url, "ssh://git@host:2222/org/repo.git");
  EXPECT_EQ(ssh.password, "pw");
  EXPECT_EQ(ssh.ref, "abc1234");
  EXPECT_EQ(parseContextUrl("git://127.0.0.1:9418/repo.git").url, "git://127.0.0.1:9418/repo.git");
  ContextUrl file = parseContextUrl("file:///tmp/repo.git#main:app");
  EXPECT_EQ(file.url, "file:///tmp/repo.git");
  EXPECT_EQ(file.ref, "main");
  EXPECT_EQ(file.subdir, "app");
}

TEST(ContextUrl, SubdirWithoutRefMeansDefaultBranch) {
  ContextUrl url = parseContextUrl("https://host/repo.git#:app");
  EXPECT_TRUE(url.ref.empty());
  EXPECT_EQ(url.subdir, "app");
  EXPECT_EQ(url.display(), "https://host/repo.git#:app");
}

TEST(ContextUrl, Archives) {
  ContextUrl url = parseContextUrl("https://user:tok@host/files/ctx.tar.gz");
  EXPECT_EQ(url.kind, ContextKind::Archive);
  EXPECT_EQ(url.url, "https://host/files/ctx.tar.gz");
  EXPECT_EQ(parseContextUrl("http://127.0.0.1:8080/a.TGZ").kind, ContextKind::Archive);
  EXPECT_THROW(parseContextUrl("https://host/a.tar.gz#main"), std::invalid_argument);
}

TEST(ContextUrl, RejectsLocalPathsBadSchemesAndDotDot) {
  EXPECT_FALSE(isRemoteContext("."));
  EXPECT_FALSE(isRemoteContext("/dev/null"));
  EXPECT_FALSE(isRemoteContext("some/dir"));
  EXPECT_TRUE(isRemoteContext("git@host:repo"));
  EXPECT_THROW(parseContextUrl("./dir"), std::invalid_argument);
  EXPECT_THROW(parseContextUrl("oci://host/artifact"), std::invalid_argument);
  EXPECT_THROW(parseContextUrl("https://host/r.git#main:../x"), std::invalid_argument);
  try {
    parseContextUrl("ftp://u:secret@host/r.git");
    FAIL();
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()).find("secret"), std::string::npos) << error.what();
  }
}

TEST(ContextUrl, StripAndNormalize) {
  EXPECT_EQ(stripCredentials("https://u:p@host/r.git"), "https://host/r.git");
  EXPECT_EQ(stripCredentials("ssh://git:p@host/r.git"), "ssh://git@host/r.git");
  EXPECT_EQ(stripCredentials("/local"), "/local");
  EXPECT_EQ(normalizeRepositoryUrl("HTTPS://u:p@GitHub.com/Org/Repo.git/"), "https://github.com/Org/Repo");
  EXPECT_EQ(normalizeRepositoryUrl("https://github.com/Org/Repo"),
            normalizeRepositoryUrl("https://github.com/Org/Repo.git"));
  EXPECT_EQ(normalizeRepositoryUrl("git@GitHub.com:org/repo.git"), "github.com:org/repo");
}

}  // namespace
}  // namespace hangar::runner
