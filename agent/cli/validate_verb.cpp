#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <memory>

#include "agent/cli/cli.hpp"
#include "agent/cli/repeatable.hpp"
#include "agent/service_validation.hpp"
#include "agent/task_check.hpp"

namespace hangar::agent::cli {
namespace {

// What `hangar validate` parses.
struct ValidateFlags {
  std::vector<std::string> files;
  RunOnceOptions options;
  std::string configPath;
};

}  // namespace

void addValidateVerb(CLI::App& app, VerbAction& action) {
  auto flags = std::make_shared<ValidateFlags>();
  auto* verb =
      app.add_subcommand("validate", "Check task files; print FILE:LINE:COL: error: ... for each problem");
  verb->add_option("files", flags->files, "Task files");
  verb->add_option("--config", flags->configPath, "Check this agent configuration (agent.yaml) too");
  repeatable(verb->add_option("--set", flags->options.sets, "A template value (K=V), repeatable"));
  verb->add_option("--values", flags->options.valuesFile, "A YAML file of template values");
  verb->add_option("--registry,-r", flags->options.registry, "The registry $Registry stands for");
  verb->add_option("--context", flags->options.context,
                   "Context directory for alias src files (default: none)");
  verb->callback([flags, &action] {
    if (flags->files.empty() && flags->configPath.empty())
      throw CLI::ValidationError("validate", "give task files, or --config PATH");
    action = [flags] {
      int code =
          flags->files.empty() ? 0 : validateTaskFiles(flags->files, flags->options, std::cout, std::cerr);
      return flags->configPath.empty() ? code : std::max(code, validateAgentConfig(flags->configPath));
    };
  });
}

}  // namespace hangar::agent::cli
