#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace hangar::agent::cli {

/// What a verb does once its options are parsed; returns the process exit code.
using VerbAction = std::function<int()>;

/// Parses the command line, runs the chosen verb and returns its exit code (cli.md).
int main(int argc, char** argv);

// One function per verb, each in its own file: it adds the verb's options to `app` and sets
// `action` when the verb is chosen.
void addRunOnceVerb(CLI::App& app, VerbAction& action);
void addBuildVerb(CLI::App& app, VerbAction& action);
void addValidateVerb(CLI::App& app, VerbAction& action);
void addRenderVerb(CLI::App& app, VerbAction& action);
// The service and its verbs (issue 6).
void addRunVerb(CLI::App& app, VerbAction& action);
void addEnqueueVerb(CLI::App& app, VerbAction& action);
void addRunsVerb(CLI::App& app, VerbAction& action);
void addLogsVerb(CLI::App& app, VerbAction& action);
void addCancelVerb(CLI::App& app, VerbAction& action);
void addTaskVerb(CLI::App& app, VerbAction& action);
void addPurgeVerb(CLI::App& app, VerbAction& action);
void addDoctorVerb(CLI::App& app, VerbAction& action);
/// `task run NAME`, added under the `task` verb.
void addTaskRunVerb(CLI::App& task, VerbAction& action);

}  // namespace hangar::agent::cli
