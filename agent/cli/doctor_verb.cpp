#include <CLI/CLI.hpp>
#include <iostream>

#include "agent/azure_endpoints.hpp"
#include "agent/cli/cli.hpp"
#include "agent/cli/config_flag.hpp"
#include "agent/doctor.hpp"
#include "agent/registry_logins.hpp"
#include "agent/state_dir.hpp"
#include "config/agent_config.hpp"
#include "registry/credential_provider.hpp"
#include "runner/secret_source.hpp"

namespace hangar::agent::cli {
namespace {

// What `hangar doctor` parses.
struct DoctorFlags {
  std::string configPath;  // agent configuration; empty: none (flags and defaults only)
  std::string registry;
  std::string dockerConfig;
  std::string caBundle;
  std::vector<std::string> insecure;
  std::string repository = "hangar-doctor";
  bool checkPush = false;
  std::string stateDir;
  std::string output = "text";
};

// The managed identity or service principal each configured registry logs in with: doctor checks that
// its endpoint answers and that a token can be had (never printing it).
void addAzureCredentialChecks(const config::AgentConfig& config, DoctorOptions& options) {
  registry::AzureEndpoints endpoints;
  if (!config.azure.imdsEndpoint.empty()) endpoints.imdsUrl = config.azure.imdsEndpoint;
  if (!config.azure.authorityHost.empty()) endpoints.authorityHost = config.azure.authorityHost;
  for (const auto& entry : config.registries) {
    if (!entry.auth) continue;
    registry::AzureCredentialSource source;
    source.endpoints = endpoints;
    if (const auto& identity = entry.auth->managedIdentity) {
      source.kind = registry::AzureCredentialSource::Kind::ManagedIdentity;
      source.identity = {identity->clientId, identity->objectId, identity->resourceId};
    } else if (const auto& principal = entry.auth->servicePrincipal) {
      source.kind = registry::AzureCredentialSource::Kind::ServicePrincipal;
      source.tenantId = principal->tenantId;
      source.clientId = principal->clientId;
      // Read as a run reads them (owner-only files); what fails becomes the token check's reason.
      try {
        if (!principal->certificateFile.empty()) {
          source.certificateFile = principal->certificateFile;
          source.certificatePem = runner::readSecretFile(principal->certificateFile);
        } else if (!principal->clientSecretFile.empty()) {
          source.clientSecret = runner::readPasswordFile(principal->clientSecretFile);
        } else {
          source.clientSecret = runner::readSecretEnv(principal->clientSecretEnv);
        }
      } catch (const std::runtime_error& e) {
        source.unreadable = e.what();
      }
    } else {
      continue;
    }
    options.azureCredentials.emplace_back(entry.host, std::move(source));
  }
}

// The agent.yaml login of one registry, resolved when a check first asks for it: a failure becomes the
// credentials check's reason (registryLoginProvider never puts a secret in it).
class ConfiguredLogin : public registry::CredentialProvider {
 public:
  ConfiguredLogin(config::RegistrySettings entry, registry::AzureEndpoints azure)
      : entry_(std::move(entry)), azure_(std::move(azure)) {}
  std::optional<registry::Credential> credentialFor(const std::string& host) override {
    if (host != entry_.host) return std::nullopt;
    // Logs in once per doctor, as a run does, though each check asks again.
    if (!login_) login_ = registryLoginProvider(entry_, azure_);
    return login_->credentialFor(host);
  }

 private:
  config::RegistrySettings entry_;
  registry::AzureEndpoints azure_;
  std::shared_ptr<registry::CredentialProvider> login_;
};

int doctor(const DoctorFlags& flags) {
  DoctorOptions options;
  options.stateDir = defaultStateDir();
  std::string dockerConfig;
  registry::HttpOptions http;
  std::optional<config::AgentConfig> config;
  if (!flags.configPath.empty()) {
    config = config::loadAgentConfig(flags.configPath);
    options.stateDir = config->stateDir;
    options.engine.kind = config->engine.kind == config::EngineKind::Docker ? "docker" : "buildah";
    options.engine.binary = config->engine.binary;
    if (!config->engine.storageDriver.empty()) options.engine.storageDriver = config->engine.storageDriver;
    dockerConfig = config->dockerConfig;
    http.caBundle = config->caBundle;
    for (const auto& entry : config->registries)
      if (entry.insecure) http.insecureHosts.insert(entry.host);
    addAzureCredentialChecks(*config, options);
  }
  if (!flags.stateDir.empty()) options.stateDir = flags.stateDir;
  if (!flags.dockerConfig.empty()) dockerConfig = flags.dockerConfig;
  if (!flags.caBundle.empty()) http.caBundle = flags.caBundle;
  for (const auto& host : flags.insecure) http.insecureHosts.insert(host);
  options.json = flags.output == "json";
  if (!flags.registry.empty()) {
    registry::RegistryDoctorOptions check;
    check.registry = flags.registry;
    check.http = http;
    const std::filesystem::path file =
        dockerConfig.empty() ? registry::DockerConfig::defaultPath() : std::filesystem::path(dockerConfig);
    check.credentialSource = file.string();
    check.credentials =
        std::make_shared<registry::DockerConfigCredentialProvider>(registry::DockerConfig::load(file));
    // The agent.yaml login of this registry, when it has one, as the run would use it.
    if (config) {
      for (const auto& entry : config->registries) {
        if (entry.host != flags.registry || !entry.auth) continue;
        check.credentials = std::make_shared<ConfiguredLogin>(entry, azureEndpoints(config->azure));
        check.credentialSource = "agent.yaml registries: (" + entry.position.str() + ")";
      }
    }
    check.repository = flags.repository;
    check.checkPush = flags.checkPush;
    options.registry = check;
  }
  return runDoctor(options, std::cout);
}

}  // namespace

void addDoctorVerb(CLI::App& app, VerbAction& action) {
  auto flags = std::make_shared<DoctorFlags>();
  auto* verb = app.add_subcommand(
      "doctor", "Check the engine, storage, disk and a registry end to end, saying why a check fails");
  verb->add_option("--registry", flags->registry, "Registry to check, host[:port]");
  verb->add_option("--config", flags->configPath, "Agent configuration to take settings from");
  verb->add_option("--docker-config", flags->dockerConfig,
                   "docker config.json with credentials (default $DOCKER_CONFIG/config.json)");
  verb->add_option("--ca-bundle", flags->caBundle, "PEM file of CAs to verify the registry with");
  verb->add_option("--insecure-registry", flags->insecure, "host[:port] reached over plain HTTP")
      ->allow_extra_args(false);
  verb->add_option("--repository", flags->repository, "Scratch repository for the pull/push checks");
  verb->add_flag("--check-push", flags->checkPush,
                 "Also check push permission (starts and cancels an upload)");
  verb->add_option("--state-dir", flags->stateDir, "State directory whose free space is checked");
  verb->add_option("--output", flags->output, "text or json")->check(CLI::IsMember({"text", "json"}));
  verb->callback(
      [flags, &action] { action = [flags] { return runServiceVerb([&] { return doctor(*flags); }); }; });
}

}  // namespace hangar::agent::cli
