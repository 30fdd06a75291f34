#include "runner/git_error.hpp"

#include <git2.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "runner/context_url.hpp"

namespace hangar::runner {
namespace {

bool contains(const std::string& text, const char* needle) {
  std::string lowered = text;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return lowered.find(needle) != std::string::npos;
}

std::string lastMessage() {
  const git_error* error = git_error_last();
  return error && error->message ? error->message : "unknown libgit2 error";
}

}  // namespace

void ensureLibgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // Objects are verified once, by the indexer, when a fetch receives them (as git does); hashing every
    // blob again on each read doubles the cost of a checkout.
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
  });
}

std::string describe(GitFailure failure) {
  switch (failure) {
    case GitFailure::Dns:
      return "DNS lookup failed";
    case GitFailure::Tls:
      return "TLS failed";
    case GitFailure::Auth:
      return "authentication failed";
    case GitFailure::RefNotFound:
      return "ref not found";
    case GitFailure::Network:
      return "network error";
    case GitFailure::Corrupt:
      return "repository corrupt";
    case GitFailure::LockTimeout:
      return "mirror lock timeout";
    case GitFailure::Other:
      return "git error";
  }
  return "git error";
}

GitError::GitError(GitFailure failure, const std::string& url, const std::string& ref,
                   const std::string& detail)
    : std::runtime_error("git: " + stripCredentials(url) + (ref.empty() ? "" : " (ref '" + ref + "')") +
                         ": " + describe(failure) + ": " + detail),
      failure_(failure) {}

GitFailure classifyGitError(int code) {
  const git_error* error = git_error_last();
  int klass = error ? error->klass : GIT_ERROR_NONE;
  std::string message = lastMessage();
  // Words are only looked for in the errors of talking to the remote: other messages quote paths, and a
  // mirror's hashed folder name may well hold "403".
  const bool remote = klass == GIT_ERROR_NET || klass == GIT_ERROR_HTTP || klass == GIT_ERROR_SSH ||
                      klass == GIT_ERROR_CALLBACK || klass == GIT_ERROR_SSL;
  if (code == GIT_EAUTH || (remote && (contains(message, "authentication") || contains(message, "401") ||
                                       contains(message, "403") || contains(message, "credentials"))))
    return GitFailure::Auth;
  if (code == GIT_ECERTIFICATE || klass == GIT_ERROR_SSL ||
      (remote && (contains(message, "certificate") || contains(message, "tls") || contains(message, "ssl"))))
    return GitFailure::Tls;
  if (remote && (contains(message, "resolve address") || contains(message, "getaddrinfo") ||
                 contains(message, "name or service")))
    return GitFailure::Dns;
  if (code == GIT_ENOTFOUND && klass == GIT_ERROR_REFERENCE) return GitFailure::RefNotFound;
  if (klass == GIT_ERROR_NET || klass == GIT_ERROR_HTTP || klass == GIT_ERROR_SSH || klass == GIT_ERROR_OS ||
      contains(message, "could not read from remote") || contains(message, "failed to connect") ||
      contains(message, "unexpected http status") || contains(message, "early eof"))
    return GitFailure::Network;
  if (klass == GIT_ERROR_ODB || klass == GIT_ERROR_ZLIB || klass == GIT_ERROR_INDEXER ||
      klass == GIT_ERROR_OBJECT || klass == GIT_ERROR_REPOSITORY || klass == GIT_ERROR_CONFIG ||
      klass == GIT_ERROR_REFERENCE || contains(message, "corrupt") || contains(message, "object not found"))
    return GitFailure::Corrupt;
  return GitFailure::Other;
}

void checkGit(int code, const std::string& what, const std::string& url, const std::string& ref,
              const std::string& secret) {
  if (code >= 0) return;
  GitFailure failure = classifyGitError(code);
  std::string detail = what + ": " + lastMessage();
  if (!secret.empty())
    for (auto at = detail.find(secret); at != std::string::npos; at = detail.find(secret))
      detail.replace(at, secret.size(), "***");
  throw GitError(failure, url, ref, detail);
}

}  // namespace hangar::runner
