#include <CLI/CLI.hpp>
#include <memory>

#include "agent/cli/cli.hpp"
#include "agent/cli/repeatable.hpp"
#include "agent/cli/run_flags.hpp"
#include "agent/quick_build.hpp"
#include "agent/run_once.hpp"
#include "agent/stop_signals.hpp"

namespace hangar::agent::cli {
namespace {

// Everything `hangar build` parses: the shared run flags and the build itself.
struct BuildFlags {
  RunFlags run;
  QuickBuild build;
  bool noPush = false;
};

}  // namespace

void addBuildVerb(CLI::App& app, VerbAction& action) {
  auto flags = std::make_shared<BuildFlags>();
  auto* verb =
      app.add_subcommand("build", "Build an image from a Dockerfile and push it (like az acr build)");
  QuickBuild& b = flags->build;
  repeatable(
      verb->add_option("-t,--image", b.tags, "Image name and tag, repeatable; {{.Run.ID}} is rendered"))
      ->required();
  verb->add_option("-f,--file", b.dockerfile, "Dockerfile, relative to the context");
  repeatable(verb->add_option("--build-arg", b.buildArgs, "Build argument K=V, repeatable"));
  verb->add_option("--target", b.target, "Build stage to stop at");
  verb->add_option("--platform", b.platform, "Target platform, e.g. linux/amd64");
  verb->add_flag("--no-cache", b.noCache, "Do not use cached layers");
  verb->add_flag("--no-push", flags->noPush, "Build only; do not push");
  verb->add_option("context", flags->run.base.context, "The build context directory")->required();
  flags->run.addTo(*verb);
  verb->callback([flags, &action] {
    RunOnceOptions options = flags->run.options();
    QuickBuild build = flags->build;
    build.push = !flags->noPush;
    build.registry = options.registry;
    options.taskText = quickBuildTaskText(build);
    options.taskFile = "hangar build";
    action = [options] {
      StopSignals signals;
      return runOnce(options, signals.token());
    };
  });
}

}  // namespace hangar::agent::cli
