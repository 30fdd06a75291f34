#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "registry/credential.hpp"
#include "registry/docker_config.hpp"

namespace hangar::registry {

/// Supplies the credential for a registry host ("host[:port]"), or nullopt for anonymous access. A
/// Credential with an identityToken is used as an OAuth2 refresh token at the bearer realm (ACR's
/// `/oauth2/token` grant_type=refresh_token); username/password as Basic. Other sources (ACR token
/// exchange, managed identity) implement this to plug into the OCI client. Safe to call from several threads.
class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  virtual std::optional<Credential> credentialFor(const std::string& host) = 0;
};

/// Always the same credential (e.g. --username/--password flags), for every host.
class StaticCredentialProvider : public CredentialProvider {
 public:
  explicit StaticCredentialProvider(Credential credential) : credential_(std::move(credential)) {}
  std::optional<Credential> credentialFor(const std::string&) override { return credential_; }

 private:
  Credential credential_;
};

/// Credentials from a docker config.json (DockerConfig::find).
class DockerConfigCredentialProvider : public CredentialProvider {
 public:
  explicit DockerConfigCredentialProvider(DockerConfig config) : config_(std::move(config)) {}
  std::optional<Credential> credentialFor(const std::string& host) override { return config_.find(host); }

 private:
  DockerConfig config_;
};

/// Credentials from a docker config.json file read again at every call, so a file replaced while in use
/// (a run's auth file after its logins were renewed) is seen at once; no file gives none.
class AuthFileCredentialProvider : public CredentialProvider {
 public:
  explicit AuthFileCredentialProvider(std::filesystem::path file) : file_(std::move(file)) {}
  std::optional<Credential> credentialFor(const std::string& host) override {
    if (!std::filesystem::exists(file_)) return std::nullopt;
    return DockerConfig::load(file_).find(host);
  }

 private:
  std::filesystem::path file_;
};

}  // namespace hangar::registry
