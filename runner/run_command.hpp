#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runner/docker_flags.hpp"

namespace hangar::runner {

/// A cmd step's string (§4.2): `[docker-run flags] IMAGE [ARGS...]`, word-split like a POSIX shell
/// without any expansion (B4) and parsed with docker run's flag table; the first positional word is
/// the image, everything after it belongs to the container's command.
struct RunCommand {
  std::vector<DockerFlag> flags;  // docker-run flags before the image, by long name
  std::string image;
  std::vector<std::string> args;

  /// Docker-run flags found among the arguments after the image, which docker would pass to the
  /// container's command rather than apply (Azure/acr#649): "--env", "--entrypoint", ...
  std::vector<std::string> misplacedFlags() const;

  /// Parses; throws std::invalid_argument starting with "cmd: " for an unterminated quote, an
  /// unknown flag, a flag without its value, or a missing image.
  static RunCommand parse(std::string_view cmd);
};

/// The flags of `docker run` (docker 24) by long name, with their one-letter aliases and whether
/// they take a value. `--net` and `--net-alias` are listed under their own names.
std::span<const DockerFlagSpec> dockerRunFlags();

}  // namespace hangar::runner
