#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runner/docker_flags.hpp"

namespace hangar::runner {

/// A build step's docker-build argument string (§4.1), word-split without expansion (B4) and parsed
/// with docker build's own flag table, so flags and the context are told apart wherever they appear:
/// `-t x . -f f` has the flags `-t x -f f` and the context `.` (B6: `--no-cache URL` too).
struct BuildCommand {
  std::vector<DockerFlag> flags;  // in the order given, by long name ("--tag", "--file", ...)
  std::string context = ".";      // the one positional argument; "." when there is none

  /// Every --tag value, in order.
  std::vector<std::string> tags() const;
  /// The last --file value; empty when absent (the Dockerfile of the context).
  std::string dockerfile() const;
  /// The last --target value; empty when absent.
  std::string target() const;
  /// Every --build-arg value ("K=V", or "K" to take K from the environment), in order.
  std::vector<std::string> buildArgs() const;

  /// Parses; throws std::invalid_argument starting with "build: " for an unterminated quote, an
  /// unknown flag, a flag without its value, or more than one context.
  static BuildCommand parse(std::string_view arguments);
};

/// The flags of `docker build` (docker 24, buildx included) by long name, with their one-letter
/// aliases and whether they take a value.
std::span<const DockerFlagSpec> dockerBuildFlags();

}  // namespace hangar::runner
