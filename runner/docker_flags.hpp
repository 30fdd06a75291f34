#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hangar::runner {

/// One flag a docker CLI command accepts: its long name ("--tag"), an optional one-letter alias
/// ('t', or 0 for none) and whether it takes a value.
struct DockerFlagSpec {
  std::string_view name;
  char shortName = 0;
  bool takesValue = false;
};

/// A flag as found on a command line, under its long name. `value` is the flag's argument for a
/// value flag, and for a boolean flag only when written as `--flag=value` (e.g. `--rm=false`).
struct DockerFlag {
  std::string name;
  std::optional<std::string> value;

  friend bool operator==(const DockerFlag&, const DockerFlag&) = default;
};

/// Flags and positional words of a docker command line, each in the order given.
struct DockerArguments {
  std::vector<DockerFlag> flags;
  std::vector<std::string> positionals;
};

/// Splits already word-split arguments like docker's CLI (spf13/pflag) does: `--name value`,
/// `--name=value`, `-x value`, `-xvalue`, `-x=value`, clusters of one-letter booleans (`-it`) ending
/// in at most one value flag (`-itd`, `-ite K=V`), `--` ends the flags, and `-` is a positional.
/// With `interspersed`, flags may follow positionals (docker build); without it the first positional
/// ends the flags and every later word is positional (docker run: the image, then its arguments).
/// Throws std::invalid_argument naming the word for an unknown flag or a value flag missing its value.
DockerArguments parseDockerArguments(const std::vector<std::string>& words,
                                     std::span<const DockerFlagSpec> specs, bool interspersed);

}  // namespace hangar::runner
