#include "runner/git_credentials.hpp"

#include <git2.h>

#include <cstdlib>

namespace hangar::runner {

int acquireGitCredential(git_credential** out, const char*, const char* usernameFromUrl,
                         unsigned int allowedTypes, void* payload) {
  auto* state = static_cast<CredentialPayload*>(payload);
  const GitCredentials* credentials = state ? state->credentials : nullptr;
  if (state && ++state->attempts > 1) {
    git_error_set_str(GIT_ERROR_NET, "authentication failed: the server rejected the configured credentials");
    return GIT_EAUTH;
  }
  std::string user = credentials && credentials->username  ? *credentials->username
                     : usernameFromUrl && *usernameFromUrl ? usernameFromUrl
                                                           : "";
  if (credentials && (allowedTypes & GIT_CREDENTIAL_SSH_KEY) && credentials->sshPrivateKey) {
    if (user.empty()) user = "git";
    std::string publicKey = credentials->sshPublicKey ? credentials->sshPublicKey->string() : "";
    return git_credential_ssh_key_new(
        out, user.c_str(), publicKey.empty() ? nullptr : publicKey.c_str(),
        credentials->sshPrivateKey->c_str(),
        credentials->sshPassphrase.empty() ? nullptr : credentials->sshPassphrase.c_str());
  }
  if (credentials && (allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && credentials->password) {
    if (user.empty()) user = "hangar";
    return git_credential_userpass_plaintext_new(out, user.c_str(), credentials->password->c_str());
  }
  if ((allowedTypes & GIT_CREDENTIAL_USERNAME) && !user.empty())
    return git_credential_username_new(out, user.c_str());
  git_error_set_str(GIT_ERROR_NET, "authentication required but no matching credentials are configured");
  return GIT_EAUTH;
}

}  // namespace hangar::runner

namespace hangar::runner {

GitCredentials gitCredentialsFromEnvironment() {
  auto get = [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
  };
  GitCredentials credentials;
  credentials.username = get("HANGAR_GIT_USERNAME");
  credentials.password = get("HANGAR_GIT_PASSWORD");
  if (!credentials.password) credentials.password = get("HANGAR_GIT_TOKEN");
  if (auto key = get("HANGAR_GIT_SSH_KEY")) credentials.sshPrivateKey = *key;
  credentials.sshPassphrase = get("HANGAR_GIT_SSH_PASSPHRASE").value_or("");
  return credentials;
}

}  // namespace hangar::runner
