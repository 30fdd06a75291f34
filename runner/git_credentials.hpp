#pragma once

#include <filesystem>
#include <optional>
#include <string>

struct git_credential;

namespace hangar::runner {

/// Credentials for one repository, held in memory only (from the agent config or a credential file).
/// HTTPS: username + password/token (a PAT alone works: the user name defaults to "hangar").
/// SSH: a private key file (public key optional), its passphrase if any.
struct GitCredentials {
  std::optional<std::string> username;
  std::optional<std::string> password;  // password or token: never logged
  std::optional<std::filesystem::path> sshPrivateKey;
  std::optional<std::filesystem::path> sshPublicKey;
  std::string sshPassphrase;
  /// A docker-style credential helper asked when HTTPS needs credentials and no password is set: a
  /// path (contains '/') or a name run as `docker-credential-<name>` from PATH. It gets
  /// `scheme://host[:port]` of the repository on stdin and answers {"Username","Secret"}.
  std::optional<std::string> credentialHelper;
};

/// State for libgit2's credential callback: refuses to loop forever on rejected credentials.
struct CredentialPayload {
  const GitCredentials* credentials = nullptr;
  int attempts = 0;
};

/// libgit2 `git_credential_acquire_cb`: payload is a CredentialPayload*. A failing credential helper
/// makes the callback fail with its message (never a secret).
int acquireGitCredential(git_credential** out, const char* url, const char* usernameFromUrl,
                         unsigned int allowedTypes, void* payload);

}  // namespace hangar::runner

namespace hangar::runner {

/// `scheme://host[:port]` of a repository URL (what a credential helper is asked about); empty for
/// URLs without a scheme (scp-like SSH).
std::string credentialServerOf(const std::string& url);

/// Credentials from the environment of the agent process (never argv): HANGAR_GIT_USERNAME,
/// HANGAR_GIT_PASSWORD (or HANGAR_GIT_TOKEN), HANGAR_GIT_SSH_KEY (+ HANGAR_GIT_SSH_PASSPHRASE),
/// HANGAR_GIT_CREDENTIAL_HELPER.
GitCredentials gitCredentialsFromEnvironment();

}  // namespace hangar::runner
