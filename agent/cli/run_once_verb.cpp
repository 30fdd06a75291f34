#include <CLI/CLI.hpp>
#include <memory>

#include "agent/cli/cli.hpp"
#include "agent/cli/config_flag.hpp"
#include "agent/cli/repeatable.hpp"
#include "agent/cli/run_flags.hpp"
#include "agent/local_secrets.hpp"
#include "agent/run_once.hpp"
#include "agent/stop_signals.hpp"

namespace hangar::agent::cli {

void addRunOnceVerb(CLI::App& app, VerbAction& action) {
  auto flags = std::make_shared<RunFlags>();
  auto* verb =
      app.add_subcommand("run-once", "Run one multi-step task now, in the foreground (like az acr run)");
  RunOnceOptions& o = flags->base;
  verb->add_option("-f,--file", o.taskFile, "Task file, looked up in the context first")
      ->capture_default_str();
  verb->add_option("--cmd", o.command, "Run one command step instead of a task file: 'IMAGE [ARGS]'");
  repeatable(verb->add_option("--set", o.sets, "A template value (K=V), repeatable; {{.Values.K}}"));
  repeatable(
      verb->add_option("--set-secret", o.secretSets, "A secret template value (K=V), masked in every log"));
  repeatable(verb->add_option("--secret", o.secrets,
                              "A secret (NAME=VALUE, or NAME=@FILE to read it from a file), repeatable; "
                              "{{.Secrets.NAME}}, masked in every log"));
  verb->add_option("--values", o.valuesFile,
                   "A YAML file of template values, looked up in the context first");
  verb->add_option("context", o.context, "The build context: a directory, or /dev/null for none")->required();
  auto configPath = std::make_shared<std::string>();
  verb->add_option(
      "--config", *configPath,
      "Agent configuration to take secrets:, gitCredentials:, registries: and azure: from (read only when "
      "given)");
  flags->addTo(*verb);
  verb->callback([flags, configPath, &action] {
    RunOnceOptions options = flags->options();
    action = [options, path = *configPath]() mutable {
      if (!path.empty()) {
        const int status = runServiceVerb([&] {
          applyAgentCredentials(config::loadAgentConfig(path), options);
          return 0;
        });
        if (status != 0) return status;
      }
      StopSignals signals;
      return runOnce(options, signals.token());
    };
  });
}

}  // namespace hangar::agent::cli
