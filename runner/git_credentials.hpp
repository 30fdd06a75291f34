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
};

/// State for libgit2's credential callback: refuses to loop forever on rejected credentials.
struct CredentialPayload {
  const GitCredentials* credentials = nullptr;
  int attempts = 0;
};

/// libgit2 `git_credential_acquire_cb`: payload is a CredentialPayload*.
int acquireGitCredential(git_credential** out, const char* url, const char* usernameFromUrl,
                         unsigned int allowedTypes, void* payload);

}  // namespace hangar::runner

namespace hangar::runner {

/// Credentials from the environment of the agent process (never argv): HANGAR_GIT_USERNAME,
/// HANGAR_GIT_PASSWORD (or HANGAR_GIT_TOKEN), HANGAR_GIT_SSH_KEY (+ HANGAR_GIT_SSH_PASSPHRASE).
GitCredentials gitCredentialsFromEnvironment();

}  // namespace hangar::runner
