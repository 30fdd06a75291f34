#pragma once

#include <filesystem>

namespace hangar::agent {

/// Where Hangar keeps its state (run ids, run directories, logs): `$HANGAR_STATE_DIR` when set,
/// /var/lib/hangar for root, else `$XDG_STATE_HOME/hangar` or ~/.local/state/hangar. Created if missing;
/// mode 0700 (makePrivateStateDir).
std::filesystem::path defaultStateDir();

/// Creates `dir` (with parents) if missing, with mode 0700 whatever the umask; an existing folder keeps
/// its mode. Throws
/// std::filesystem::filesystem_error naming the path.
void makePrivateStateDir(const std::filesystem::path& dir);

}  // namespace hangar::agent
