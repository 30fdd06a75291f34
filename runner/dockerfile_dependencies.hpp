#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::runner {

/// The base images a Dockerfile builds from, as ACR records them (§4.5): the runtime dependency is
/// the final stage's origin, the buildtime ones are the other stages' origins. Stage names are
/// followed to the image they start from; `scratch` is no dependency.
struct DockerfileDependencies {
  std::string runtime;  // empty when the final stage is FROM scratch
  std::vector<std::string> buildtime;
};

/// Reads the FROM lines of a Dockerfile: line continuations and comments, global ARG defaults
/// overridden by `buildArgs`, $X / ${X} / ${X:-default} / ${X:+alt} in FROM, `--platform=` and other
/// flags skipped (B17), `AS name` chains, and `target` ends the scan at that stage. Never throws for
/// lines it does not understand: it skips them, as a scan must never fail a build.
DockerfileDependencies scanDockerfile(std::string_view dockerfile,
                                      const std::map<std::string, std::string>& buildArgs,
                                      const std::string& target = "");

}  // namespace hangar::runner
