#pragma once

#include <filesystem>

namespace hangar::agent {

/// Where Hangar keeps its state (run ids, run directories, logs): `$HANGAR_STATE_DIR` when set,
/// /var/lib/hangar for root, else `$XDG_STATE_HOME/hangar` or ~/.local/state/hangar. Created if missing.
std::filesystem::path defaultStateDir();

}  // namespace hangar::agent
