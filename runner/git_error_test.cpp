#include "runner/git_error.hpp"

#include <git2.h>
#include <gtest/gtest.h>

namespace hangar::runner {
namespace {

// The classification of the error libgit2 reports last (set here as libgit2 would).
GitFailure classify(int klass, const char* message, int code = GIT_ERROR) {
  ensureLibgit2();
  git_error_set_str(klass, message);
  return classifyGitError(code);
}

TEST(GitErrorClassification, AConfigErrorQuotingAPathWith403IsCorruptionNotAuthentication) {
  // A mirror's folder is named by a hash, which may hold "403" or "401" (seen on a CI run).
  EXPECT_EQ(classify(GIT_ERROR_CONFIG,
                     "failed to parse config file: missing ']' in section header (in "
                     "/tmp/state/git-mirrors/91584dc5ee1b72aa4035-app.git/config:1)"),
            GitFailure::Corrupt);
  EXPECT_EQ(classify(GIT_ERROR_ODB, "object not found - /srv/credentials-tls-401/objects"),
            GitFailure::Corrupt);
}

TEST(GitErrorClassification, TheRemotesAnswersAreClassifiedByTheirWords) {
  EXPECT_EQ(classify(GIT_ERROR_HTTP, "unexpected http status code: 401"), GitFailure::Auth);
  EXPECT_EQ(classify(GIT_ERROR_NET, "unexpected http status code: 403"), GitFailure::Auth);
  EXPECT_EQ(classify(GIT_ERROR_NET, "authentication failed: the server rejected the configured credentials"),
            GitFailure::Auth);
  EXPECT_EQ(classify(GIT_ERROR_NET, "anything", GIT_EAUTH), GitFailure::Auth);
  EXPECT_EQ(classify(GIT_ERROR_SSL, "the SSL certificate is invalid"), GitFailure::Tls);
  EXPECT_EQ(
      classify(GIT_ERROR_NET, "failed to resolve address for nohost.invalid: Name or service not known"),
      GitFailure::Dns);
  EXPECT_EQ(classify(GIT_ERROR_NET, "unexpected http status code: 500"), GitFailure::Network);
}

}  // namespace
}  // namespace hangar::runner
