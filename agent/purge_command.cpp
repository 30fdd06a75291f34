#include "agent/purge_command.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "agent/azure_endpoints.hpp"
#include "agent/registry_logins.hpp"
#include "config/agent_config.hpp"
#include "registry/acr_purge.hpp"
#include "registry/credential_provider.hpp"
#include "registry/duration.hpp"
#include "registry/image_reference.hpp"
#include "registry/purge.hpp"
#include "registry/tag_filter.hpp"

namespace hangar::agent {
namespace {

constexpr int kMaxConcurrency = 32;
constexpr const char* kNullGuid = "00000000-0000-0000-0000-000000000000";

struct PurgeFlags {
  std::string registry;
  std::string username;
  std::string password;
  std::vector<std::string> configs;
  std::string agentConfig;
  std::vector<std::string> filters;
  std::string ago;
  int keep = 0;
  bool untagged = false;
  bool untaggedOnly = false;
  bool dryRun = false;
  bool includeLocked = false;
  int concurrency = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int pageSize = 100;
  long long filterTimeout = 60;
  bool verbose = false;
};

// acr purge's login server: a name without '.' is an ACR name (loopback hosts stay as they are).
std::string loginServer(std::string name) {
  if (name.empty()) {
    const char* env = std::getenv("ACR_DEFAULT_REGISTRY");
    name = env ? env : "";
  }
  if (name.empty())
    throw std::invalid_argument("unable to determine registry name, please use --registry flag");
  if (name.find('.') == std::string::npos && !registry::isLoopbackRegistry(name)) name += ".azurecr.io";
  return name;
}

std::shared_ptr<registry::CredentialProvider> credentials(const PurgeFlags& flags) {
  if (!flags.username.empty() || !flags.password.empty()) {
    if (flags.password.empty()) {
      throw std::invalid_argument("unable to resolve authentication, missing identity token or password");
    }
    registry::Credential credential;
    if (flags.username.empty() || flags.username == kNullGuid) {
      credential = {kNullGuid, "", flags.password};  // an ACR refresh token
    } else {
      credential = {flags.username, flags.password, ""};
    }
    return std::make_shared<registry::StaticCredentialProvider>(credential);
  }
  std::vector<std::filesystem::path> files(flags.configs.begin(), flags.configs.end());
  if (files.empty()) files.push_back(registry::DockerConfig::defaultPath());
  // Each file is read again whenever a token is due (a run renews its auth file while a long purge
  // step goes on); read once now so a broken file is an error before any request. The first file
  // with a credential for the host wins.
  struct FirstOf : registry::CredentialProvider {
    std::vector<registry::AuthFileCredentialProvider> files;
    std::optional<registry::Credential> credentialFor(const std::string& host) override {
      for (auto& file : files) {
        if (auto found = file.credentialFor(host)) return found;
      }
      return std::nullopt;
    }
  };
  auto provider = std::make_shared<FirstOf>();
  for (const auto& file : files) {
    registry::DockerConfig::load(file);
    provider->files.emplace_back(file);
  }
  return provider;
}

// How purge reaches and logs in to the registry: the transport's options (caBundle, insecure hosts),
// plain HTTP, and the credentials.
struct Connection {
  registry::HttpOptions http;
  bool plainHttp = false;
  std::shared_ptr<registry::CredentialProvider> credentials;
};

// --agent-config: agent.yaml's `caBundle`, and the `registries:` entry for `server` gives `insecure` and,
// unless -u/-p are given, the login (resolved now, as a run resolves it); else credentials(flags), with
// agent.yaml's `dockerConfig` as the docker config when no --config is given.
Connection connection(PurgeFlags flags, const std::string& server) {
  Connection result;
  if (!flags.agentConfig.empty()) {
    const auto config = config::loadAgentConfig(flags.agentConfig);
    result.http.caBundle = config.caBundle;
    if (flags.configs.empty() && !config.dockerConfig.empty()) flags.configs = {config.dockerConfig};
    if (const auto* entry = config.findRegistry(server)) {
      if (entry->insecure) {
        result.plainHttp = true;
        result.http.insecureHosts.insert(server);
      }
      if (entry->auth && flags.username.empty() && flags.password.empty()) {
        // An Azure login is exchanged again before its refresh token expires: purges may run for hours.
        result.credentials = registryLoginProvider(*entry, azureEndpoints(config.azure));
      }
    }
  }
  if (!result.credentials) result.credentials = credentials(flags);
  return result;
}

}  // namespace

int runPurgeCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  PurgeFlags flags;
  CLI::App app{"Delete old tags and untagged manifests (acr purge)", "purge"};
  app.add_option("-r,--registry", flags.registry, "Registry name or login server");
  app.add_option("-u,--username", flags.username, "Registry username");
  app.add_option("-p,--password", flags.password, "Registry password or ACR refresh token");
  app.add_option("-c,--config", flags.configs, "docker config.json files");
  app.add_option("--agent-config", flags.agentConfig,
                 "agent.yaml: its registries: entry for the registry gives the login (unless -u/-p), "
                 "insecure and caBundle");
  app.add_option("-f,--filter", flags.filters, "REPO:TAGREGEX, repeatable");
  app.add_option("--ago", flags.ago, "Delete what is older than this ([N]d[go-duration])");
  app.add_option("--keep", flags.keep, "Keep the N most recent eligible tags / manifests");
  auto* untagged = app.add_flag("--untagged", flags.untagged, "Also delete dangling manifests");
  auto* untaggedOnly = app.add_flag("--untagged-only", flags.untaggedOnly, "Delete only untagged manifests");
  untagged->excludes(untaggedOnly);
  app.add_flag("--dry-run", flags.dryRun, "Print what would be deleted");
  app.add_flag("--include-locked", flags.includeLocked, "Also delete locked items");
  app.add_option("--concurrency", flags.concurrency, "Parallel deletions (1-32)");
  app.add_option("--repository-page-size", flags.pageSize, "Catalog page size");
  app.add_option("--filter-timeout-seconds", flags.filterTimeout,
                 "Per-match regex limit (Boost complexity limit)");
  app.add_flag("--verbose", flags.verbose, "Verbose output");
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "Error: " << e.what() << "\n";
    return 1;
  }
  registry::PurgeOptions options;
  std::string server;
  Connection connected;
  try {
    if (flags.filters.empty() && !flags.untaggedOnly) {
      throw std::invalid_argument("--filter is required when not using --untagged-only");
    }
    if (flags.ago.empty() && !flags.untaggedOnly) {
      throw std::invalid_argument("--ago is required when not using --untagged-only");
    }
    for (const auto& filter : flags.filters) registry::parseFilterExpression(filter);
    if (!flags.ago.empty()) {
      const auto ago = registry::parseAgo(flags.ago);
      if (ago.capped) out << registry::kAgoCapWarning << "\n";
      options.ago = ago.value;
    }
    if (flags.concurrency <= 0) {
      flags.concurrency = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
      out << "Specified concurrency value invalid. Set to default value: " << flags.concurrency << " \n";
    } else if (flags.concurrency > kMaxConcurrency) {
      flags.concurrency = kMaxConcurrency;
      out << "Specified concurrency value too large. Set to maximum value: " << kMaxConcurrency << " \n";
    }
    server = loginServer(flags.registry);
    connected = connection(flags, server);
  } catch (const std::exception& e) {
    err << "Error: " << e.what() << "\n";
    return 1;
  }
  options.filters = flags.untaggedOnly ? std::vector<std::string>{} : flags.filters;
  if (flags.untaggedOnly) {
    for (const auto& filter : flags.filters) {
      options.filters.push_back(registry::parseFilterExpression(filter).repository + ":.*");
    }
  }
  options.keep = flags.keep;
  options.untagged = flags.untagged;
  options.untaggedOnly = flags.untaggedOnly;
  options.dryRun = flags.dryRun;
  options.includeLocked = flags.includeLocked;
  options.concurrency = flags.concurrency;
  options.repositoryPageSize = flags.pageSize;

  if (flags.dryRun) {
    out << "DRY RUN: The following output shows what WOULD be deleted if the purge command was executed. "
           "Nothing is deleted.\n";
  }
  registry::CurlTransport transport(connected.http);
  registry::OciClient client(server, transport, connected.credentials, connected.plainHttp);
  registry::PurgeCounts counts;
  int code = 0;
  std::string failure;
  try {
    // ACR (or anything speaking its /acr/v1 metadata API): lastUpdateTime, locks and untag, as acr purge.
    if (registry::hasAcrMetadataApi(client)) {
      registry::purgeAcrRegistry(client, options, out, counts);
    } else {
      registry::purgeRegistry(client, options, out, counts);
    }
  } catch (const std::exception& e) {
    failure = e.what();
    code = 1;
  }
  if (flags.dryRun) {
    out << "\nNumber of tags to be deleted: " << counts.tags
        << "\nNumber of manifests to be deleted: " << counts.manifests << "\n";
  } else {
    out << "\nNumber of deleted tags: " << counts.tags
        << "\nNumber of deleted manifests: " << counts.manifests << "\n";
  }
  if (code != 0) {
    out << "Failed to complete purge: " << failure << " \n";
    err << "Error: " << failure << "\n";
  }
  return code;
}

bool isAcrCliImage(const std::string& image) {
  if (image == "acr") return true;
  const std::string repository = "mcr.microsoft.com/acr/acr-cli";
  if (image.rfind(repository, 0) != 0) return false;
  const std::string rest = image.substr(repository.size());
  return rest.empty() || rest[0] == ':' || rest[0] == '@';
}

std::optional<int> runAcrCliStep(const std::string& image, const std::vector<std::string>& args,
                                 const std::string& stepId, runner::LogSink& log,
                                 const std::string& runRegistry,
                                 const std::optional<std::filesystem::path>& dockerConfig) {
  if (!isAcrCliImage(image) || args.empty() || args[0] != "purge") return std::nullopt;
  std::vector<std::string> words(args.begin() + 1, args.end());
  const auto has = [&](std::initializer_list<const char*> names) {
    for (const auto& word : words) {
      for (const char* name : names) {
        const std::string flag = name;
        if (word == flag || word.rfind(flag + "=", 0) == 0) return true;
      }
    }
    return false;
  };
  if (!has({"-r", "--registry"}) && !runRegistry.empty()) {
    words.insert(words.begin(), {"--registry", runRegistry});
  }
  if (!has({"-u", "--username", "-p", "--password", "-c", "--config"}) && dockerConfig) {
    words.insert(words.begin(), {"--config", dockerConfig->string()});
  }
  log.info("Step ID: " + stepId + ": running acr purge natively (no acr-cli container)");
  return runPurgeCommand(words, log, stepId);
}

int runPurgeCommand(const std::vector<std::string>& args, runner::LogSink& log, const std::string& stepId) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = runPurgeCommand(args, out, err);
  log.output(stepId, out.str());
  log.output(stepId, err.str());
  return code;
}

}  // namespace hangar::agent
