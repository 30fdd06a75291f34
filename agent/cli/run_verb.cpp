#include <CLI/CLI.hpp>
#include <memory>

#include "agent/cli/cli.hpp"
#include "agent/cli/config_flag.hpp"
#include "agent/service.hpp"

namespace hangar::agent::cli {

void addRunVerb(CLI::App& app, VerbAction& action) {
  auto configPath = std::make_shared<std::string>();
  auto* verb = app.add_subcommand(
      "run", "The service: claims queued runs into parallel slots and fires timers (like gitlab-runner run)");
  addConfigFlag(*verb, *configPath);
  verb->callback([configPath, &action] { action = [configPath] { return runService(*configPath); }; });
}

}  // namespace hangar::agent::cli
