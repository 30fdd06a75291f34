#include "runner/context_fetch.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "runner/archive_test_support.hpp"
#include "runner/git_error.hpp"
#include "runner/git_http_test_server.hpp"
#include "runner/git_test_repo.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::runner {
namespace {
namespace fs = std::filesystem;
using test::GitTestRepo;

class ContextFetchTest : public ::testing::Test {
 protected:
  ContextFetchTest() : repo(dir.path() / "served", "app") {
    repo.commit("README.md", "root\n");
    repo.commit("app/Dockerfile", "FROM scratch\nCOPY . /\n");
    repo.run({"tag", "-a", "v2", "-m", "v2"});
    head = repo.run({"rev-parse", "HEAD"});
    repo.push();
    options.mirrorRoot = dir.path() / "state" / "git-mirrors";
  }
  test::TempDir dir{"hangar-context"};
  GitTestRepo repo;
  std::string head;
  ContextFetchOptions options;
};

TEST_F(ContextFetchTest, GitContextWithRefAndSubdirFillsRunVariables) {
  FetchedContext fetched =
      fetchContext(parseContextUrl(repo.fileUrl() + "#v2:app"), dir.path() / "ws", options);
  EXPECT_EQ(fetched.contextDir, dir.path() / "ws" / "app");
  EXPECT_TRUE(fs::exists(fetched.contextDir / "Dockerfile"));
  EXPECT_EQ(fetched.commit, head);
  EXPECT_EQ(fetched.tag, "v2");
  EXPECT_EQ(fetched.branch, "");
  EXPECT_EQ(fetched.repository, repo.fileUrl());
}

TEST_F(ContextFetchTest, MissingSubdirIsAnError) {
  EXPECT_THROW(fetchContext(parseContextUrl(repo.fileUrl() + "#main:nope"), dir.path() / "ws", options),
               std::runtime_error);
}

TEST_F(ContextFetchTest, SmartHttpWithBasicAuth) {
  test::GitHttpTestServer server(dir.path() / "served");
  server.user = "builder";
  server.password = "hunter2-token";
  std::string url = server.url("/git/app.git");

  options.credentials.username = "builder";
  options.credentials.password = "hunter2-token";
  FetchedContext fetched = fetchContext(parseContextUrl(url + "#main"), dir.path() / "ws", options);
  EXPECT_EQ(fetched.commit, head);
  EXPECT_EQ(fetched.branch, "main");
  EXPECT_TRUE(fs::exists(fetched.contextDir / "app" / "Dockerfile"));
  // Nothing secret was written into the mirror or the checkout.
  for (const auto& entry : fs::recursive_directory_iterator(dir.path() / "state")) {
    if (entry.is_regular_file() && entry.path().filename() == "config") {
      EXPECT_EQ(test::read_file(entry.path()).find("hunter2"), std::string::npos) << entry.path();
    }
  }
  EXPECT_EQ(test::read_file(dir.path() / "ws" / ".git" / "config").find("hunter2"), std::string::npos);

  // Credentials given in the URL work too and never reach the messages.
  ContextUrl inUrl = parseContextUrl("http://builder:hunter2-token@" + url.substr(7) + "#main");
  ContextFetchOptions noCredentials = options;
  noCredentials.credentials = {};
  EXPECT_EQ(fetchContext(inUrl, dir.path() / "ws2", noCredentials).commit, head);
}

TEST_F(ContextFetchTest, CredentialHelperAnswersForHttps) {
  test::GitHttpTestServer server(dir.path() / "served");
  server.user = "helper-user";
  server.password = "helper-s3cret";
  std::string url = server.url("/git/app.git");
  // A docker-style helper: `get`, the server on stdin, JSON on stdout; it records what it was asked.
  fs::path asked = dir.path() / "asked.txt";
  fs::path helper = dir.path() / "helper.sh";
  std::ofstream(helper)
      << "#!/bin/sh\n[ \"$1\" = get ] || exit 3\ncat > '" << asked.string()
      << "'\necho '{\"ServerURL\":\"x\",\"Username\":\"helper-user\",\"Secret\":\"helper-s3cret\"}'\n";
  fs::permissions(helper, fs::perms::owner_all);
  options.credentials.credentialHelper = helper.string();
  std::string log;
  options.log = [&](const std::string& line) { log += line + "\n"; };

  FetchedContext fetched = fetchContext(parseContextUrl(url + "#main"), dir.path() / "ws", options);
  EXPECT_EQ(fetched.commit, head);
  EXPECT_EQ(test::read_file(asked), credentialServerOf(url));
  EXPECT_EQ(credentialServerOf(url).rfind("http://127.0.0.1:", 0), 0u) << credentialServerOf(url);
  EXPECT_EQ(log.find("helper-s3cret"), std::string::npos) << log;

  // A helper without an answer ("credentials not found") gives an authentication error naming it.
  std::ofstream(helper) << "#!/bin/sh\necho 'credentials not found in native keychain'\nexit 1\n";
  try {
    ContextFetchOptions fresh = options;
    fresh.mirrorRoot = dir.path() / "fresh";
    fetchContext(parseContextUrl(url + "#main"), dir.path() / "ws2", fresh);
    FAIL() << "expected an authentication error";
  } catch (const GitError& error) {
    EXPECT_EQ(error.failure(), GitFailure::Auth) << error.what();
    EXPECT_NE(std::string(error.what()).find("helper.sh"), std::string::npos) << error.what();
  }
}

TEST(CredentialServer, IsSchemeAndHostWithoutUserOrPath) {
  EXPECT_EQ(credentialServerOf("https://user:pw@dev.azure.com/org/project/_git/repo"),
            "https://dev.azure.com");
  EXPECT_EQ(credentialServerOf("http://127.0.0.1:8080/git/app.git"), "http://127.0.0.1:8080");
  EXPECT_EQ(credentialServerOf("git@github.com:org/repo.git"), "");
}

TEST_F(ContextFetchTest, WrongCredentialsGiveAClearErrorWithoutTheSecret) {
  test::GitHttpTestServer server(dir.path() / "served");
  server.user = "builder";
  server.password = "right-token";
  std::string url = server.url("/git/app.git");
  options.credentials.username = "builder";
  options.credentials.password = "wrong-s3cret";
  try {
    fetchContext(parseContextUrl(url + "#main"), dir.path() / "ws", options);
    FAIL() << "expected an authentication error";
  } catch (const GitError& error) {
    std::string message = error.what();
    EXPECT_EQ(error.failure(), GitFailure::Auth) << message;
    EXPECT_NE(message.find(url), std::string::npos) << message;
    EXPECT_NE(message.find("'main'"), std::string::npos) << message;
    EXPECT_NE(message.find("authentication failed"), std::string::npos) << message;
    EXPECT_EQ(message.find("wrong-s3cret"), std::string::npos) << message;
  }
}

TEST_F(ContextFetchTest, ArchiveDownloadedWithRetriesAndUnpacked) {
  test::writeTarGz(dir.path() / "ctx.tar.gz", {{"sub/Dockerfile", "FROM scratch\n"}});
  std::string archive = test::read_file(dir.path() / "ctx.tar.gz");
  test::GitHttpTestServer server(dir.path() / "served");
  server.files = [&](const httplib::Request&, httplib::Response& response) {
    if (server.requests < 3) {
      response.status = 503;  // the first two attempts fail
      return;
    }
    response.set_content(archive, "application/gzip");
  };
  FetchedContext fetched =
      fetchContext(parseContextUrl(server.url("/files/ctx.tar.gz") + "#:sub"), dir.path() / "ws", options);
  EXPECT_EQ(server.requests, 3);
  EXPECT_EQ(test::read_file(fetched.contextDir / "Dockerfile"), "FROM scratch\n");
  EXPECT_TRUE(fetched.commit.empty());
}

TEST_F(ContextFetchTest, ArchiveWithDotDotEntryIsRejected) {
  test::writeTarGz(dir.path() / "evil.tar.gz", {{"Dockerfile", "FROM scratch\n"}, {"../../escape", "x"}});
  std::string archive = test::read_file(dir.path() / "evil.tar.gz");
  test::GitHttpTestServer server(dir.path() / "served");
  server.files = [&](const httplib::Request&, httplib::Response& response) {
    response.set_content(archive, "application/gzip");
  };
  try {
    fetchContext(parseContextUrl(server.url("/evil.tgz")), dir.path() / "ws", options);
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("escape"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(fs::exists(dir.path() / "escape"));
}

TEST_F(ContextFetchTest, ArchiveFailingThreeTimesNamesTheUrl) {
  test::GitHttpTestServer server(dir.path() / "served");
  server.files = [](const httplib::Request&, httplib::Response& response) { response.status = 500; };
  try {
    fetchContext(parseContextUrl(server.url("/x.tar.gz")), dir.path() / "ws", options);
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(server.url("/x.tar.gz")), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("3 attempts"), std::string::npos) << error.what();
  }
  EXPECT_EQ(server.requests, 3);
}

}  // namespace
}  // namespace hangar::runner
