#pragma once

#include <CLI/CLI.hpp>

namespace hangar::agent::cli {

/// Makes a list option take one value per occurrence (`--set a=1 --set b=2 CONTEXT`), so that it never
/// swallows the positional arguments that follow it.
inline CLI::Option* repeatable(CLI::Option* option) { return option->allow_extra_args(false); }

}  // namespace hangar::agent::cli
