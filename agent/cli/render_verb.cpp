#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "agent/cli/cli.hpp"
#include "agent/cli/repeatable.hpp"
#include "agent/task_check.hpp"

namespace hangar::agent::cli {

void addRenderVerb(CLI::App& app, VerbAction& action) {
  auto options = std::make_shared<RunOnceOptions>();
  options->context = ".";
  auto* verb = app.add_subcommand("render", "Print a task after aliases and templates, secrets masked");
  verb->add_option("-f,--file", options->taskFile, "Task file, looked up in the context first")->required();
  repeatable(verb->add_option("--set", options->sets, "A template value (K=V), repeatable"));
  repeatable(
      verb->add_option("--set-secret", options->secretSets, "A secret template value (K=V), shown as ***"));
  verb->add_option("--values", options->valuesFile, "A YAML file of template values");
  verb->add_option("--registry,-r", options->registry, "The registry $Registry stands for");
  verb->add_option("context", options->context, "Context directory (default: .)")->capture_default_str();
  verb->callback(
      [options, &action] { action = [options] { return renderTaskFile(*options, std::cout, std::cerr); }; });
}

}  // namespace hangar::agent::cli
