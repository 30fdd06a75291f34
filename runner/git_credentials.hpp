#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

struct git_credential;
struct git_cert;

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
  /// When set, these credentials are offered only for URLs it accepts (e.g. an agent.yaml entry's host),
  /// so a submodule or a redirect to another server never receives them.
  std::function<bool(const std::string& url)> appliesTo;
  /// The SSH server's host key fingerprint ("SHA256:<base64>"): the host key must match it. Empty:
  /// libgit2 checks the agent user's ~/.ssh/known_hosts.
  std::string sshHostKey;
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

/// libgit2 `git_transport_certificate_check_cb`: payload is a CredentialPayload*. An SSH host key is
/// checked against GitCredentials::sshHostKey when set (a mismatch fails, naming both fingerprints);
/// anything else is left to libgit2 (TLS: the CA bundle; SSH: known_hosts).
int checkGitCertificate(git_cert* certificate, int valid, const char* host, void* payload);

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
