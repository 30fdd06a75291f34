#include "agent/cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "agent/exit_code.hpp"

#ifndef HANGAR_VERSION
#define HANGAR_VERSION "0.0.0"
#endif

namespace hangar::agent::cli {

int main(int argc, char** argv) {
  CLI::App app{"Hangar: a self-hosted build agent that runs acr-task files with buildah"};
  app.set_version_flag("--version", std::string("hangar ") + HANGAR_VERSION);
  app.require_subcommand(1);
  VerbAction action;
  addRunOnceVerb(app, action);
  addBuildVerb(app, action);
  addValidateVerb(app, action);
  addRenderVerb(app, action);
  addRunVerb(app, action);
  addEnqueueVerb(app, action);
  addRunsVerb(app, action);
  addLogsVerb(app, action);
  addCancelVerb(app, action);
  addTaskVerb(app, action);
  addPurgeVerb(app, action);
  addDoctorVerb(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitSuccess : kExitUsage;
  }
  try {
    return action ? action() : kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitFailed;
  }
}

}  // namespace hangar::agent::cli
