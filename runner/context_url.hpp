#pragma once

#include <optional>
#include <string>

namespace hangar::runner {

/// What a remote build context is: a git repository or a tarball downloaded over http(s).
enum class ContextKind { Git, Archive };

/// A parsed remote context (§4.1): `https://host/org/repo.git#ref:subdir`, `git@host:org/repo.git#ref`,
/// `ssh://`, `git://`, `file://`, dev.azure.com `_git` URLs, or an http(s) `.tar.gz`/`.tgz` archive.
/// `url` never holds a password: credentials found in the URL are moved to `username`/`password`.
struct ContextUrl {
  ContextKind kind = ContextKind::Git;
  std::string url;     // what to fetch, without any password (scp-like form kept as given)
  std::string ref;     // branch, tag, SHA or full ref; empty for the default branch
  std::string subdir;  // folder inside the repository used as the context; empty for the root
  std::optional<std::string> username;  // from the URL's user info
  std::optional<std::string> password;  // from the URL's user info (a token): never display it

  /// The URL with ref and subdir, credentials stripped: safe for logs and errors.
  std::string display() const;
};

/// True for anything that is not a local path: a URL with a scheme or an scp-like `user@host:path`.
bool isRemoteContext(const std::string& context);

/// Parses a remote context; throws std::invalid_argument (message without secrets) when malformed.
ContextUrl parseContextUrl(const std::string& context);

/// `url` with any user info password removed (the user name is kept for ssh-style URLs).
std::string stripCredentials(const std::string& url);

/// A stable key for a repository: lower-case scheme and host, no credentials, no trailing `/` or `.git`.
std::string normalizeRepositoryUrl(const std::string& url);

}  // namespace hangar::runner
