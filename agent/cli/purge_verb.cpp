#include <CLI/CLI.hpp>
#include <iostream>

#include "agent/cli/cli.hpp"
#include "agent/purge_command.hpp"

namespace hangar::agent::cli {

void addPurgeVerb(CLI::App& app, VerbAction& action) {
  auto* verb = app.add_subcommand(
      "purge",
      "Delete old tags and untagged manifests like acr purge (--registry R --filter REPO:REGEX --ago D ...; "
      "-u/-p, -c docker-config.json, or --agent-config agent.yaml for the registries: entry's login)");
  verb->prefix_command();  // every word after "purge" goes to runPurgeCommand, which parses acr purge's flags
  verb->set_help_flag();
  verb->callback([verb, &action] {
    action = [args = verb->remaining()] { return runPurgeCommand(args, std::cout, std::cerr); };
  });
}

}  // namespace hangar::agent::cli
