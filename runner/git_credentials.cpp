#include "runner/git_credentials.hpp"

#include <git2.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "registry/credential_helper.hpp"

namespace hangar::runner {

int acquireGitCredential(git_credential** out, const char* url, const char* usernameFromUrl,
                         unsigned int allowedTypes, void* payload) {
  auto* state = static_cast<CredentialPayload*>(payload);
  const GitCredentials* credentials = state ? state->credentials : nullptr;
  if (credentials && credentials->appliesTo && !credentials->appliesTo(url ? url : ""))
    credentials = nullptr;  // configured for another server
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
  if (credentials && (allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && credentials->credentialHelper) {
    const std::string& helper = *credentials->credentialHelper;
    std::string server = credentialServerOf(url ? url : "");
    try {
      std::optional<registry::Credential> found = helper.find('/') != std::string::npos
                                                      ? registry::runCredentialHelperProgram(helper, server)
                                                      : registry::runCredentialHelper(helper, server);
      std::string secret = found ? (found->password.empty() ? found->identityToken : found->password) : "";
      if (secret.empty()) {
        git_error_set_str(GIT_ERROR_NET, ("authentication required but credential helper " + helper +
                                          " has no credentials for " + server)
                                             .c_str());
        return GIT_EAUTH;
      }
      std::string name = found->username.empty() || found->username == "<token>" ? "hangar" : found->username;
      if (credentials->username) name = *credentials->username;
      return git_credential_userpass_plaintext_new(out, name.c_str(), secret.c_str());
    } catch (const std::exception& error) {
      git_error_set_str(GIT_ERROR_NET, (std::string("authentication: ") + error.what()).c_str());
      return GIT_EAUTH;
    }
  }
  if ((allowedTypes & GIT_CREDENTIAL_USERNAME) && !user.empty())
    return git_credential_username_new(out, user.c_str());
  git_error_set_str(GIT_ERROR_NET, "authentication required but no matching credentials are configured");
  return GIT_EAUTH;
}

namespace {

std::string base64Unpadded(const unsigned char* data, std::size_t size) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < size; i += 3) {
    const unsigned value =
        (data[i] << 16) | (i + 1 < size ? data[i + 1] << 8 : 0) | (i + 2 < size ? data[i + 2] : 0);
    out += kAlphabet[(value >> 18) & 63];
    out += kAlphabet[(value >> 12) & 63];
    if (i + 1 < size) out += kAlphabet[(value >> 6) & 63];
    if (i + 2 < size) out += kAlphabet[value & 63];
  }
  return out;
}

}  // namespace

int checkGitCertificate(git_cert* certificate, int valid, const char* host, void* payload) {
  auto* state = static_cast<CredentialPayload*>(payload);
  const GitCredentials* credentials = state ? state->credentials : nullptr;
  if (!credentials || credentials->sshHostKey.empty() || certificate->cert_type != GIT_CERT_HOSTKEY_LIBSSH2)
    return GIT_PASSTHROUGH;
  const auto* hostKey = reinterpret_cast<const git_cert_hostkey*>(certificate);
  if (!(hostKey->type & GIT_CERT_SSH_SHA256)) {
    git_error_set_str(GIT_ERROR_SSH, "the SSH server's host key has no SHA256 fingerprint to check");
    return GIT_ECERTIFICATE;
  }
  const std::string actual = "SHA256:" + base64Unpadded(hostKey->hash_sha256, sizeof hostKey->hash_sha256);
  if (actual == credentials->sshHostKey) return 0;
  (void)valid;
  git_error_set_str(GIT_ERROR_SSH, ("the host key of " + std::string(host ? host : "?") + " is " + actual +
                                    ", not the configured sshHostKey " + credentials->sshHostKey)
                                       .c_str());
  return GIT_ECERTIFICATE;
}

}  // namespace hangar::runner

namespace hangar::runner {

std::string credentialServerOf(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  auto hostStart = scheme + 3;
  auto hostEnd = url.find_first_of("/?#", hostStart);
  std::string authority =
      url.substr(hostStart, hostEnd == std::string::npos ? std::string::npos : hostEnd - hostStart);
  if (auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  return url.substr(0, hostStart) + authority;
}

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
  credentials.credentialHelper = get("HANGAR_GIT_CREDENTIAL_HELPER");
  return credentials;
}

}  // namespace hangar::runner
