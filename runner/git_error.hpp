#pragma once

#include <stdexcept>
#include <string>

namespace hangar::runner {

/// The class of a git failure, for messages and for deciding whether a mirror must be rebuilt.
enum class GitFailure { Dns, Tls, Auth, RefNotFound, Network, Corrupt, LockTimeout, Other };

/// "DNS", "TLS", "authentication", "ref not found", ...
std::string describe(GitFailure failure);

/// A failed git operation. The message names the URL (credentials stripped), the ref and the class.
class GitError : public std::runtime_error {
 public:
  GitError(GitFailure failure, const std::string& url, const std::string& ref, const std::string& detail);
  GitFailure failure() const { return failure_; }

 private:
  GitFailure failure_;
};

/// Throws GitError for a negative libgit2 return code, classifying libgit2's last error. `secret`, when
/// not empty, is removed from the message in case a server echoed it.
void checkGit(int code, const std::string& what, const std::string& url, const std::string& ref,
              const std::string& secret = {});

/// Classifies libgit2's last error (and `code`) without throwing.
GitFailure classifyGitError(int code);

/// Initialises libgit2 once per process (thread-safe; never shut down).
void ensureLibgit2();

}  // namespace hangar::runner
