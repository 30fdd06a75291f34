#pragma once

#include <filesystem>
#include <string>

namespace hangar::agent {

/// Where Hangar keeps its state (run ids, run directories, logs): `$HANGAR_STATE_DIR` when set,
/// /var/lib/hangar for root, else `$XDG_STATE_HOME/hangar` or ~/.local/state/hangar. Created if missing;
/// mode 0700 (makePrivateStateDir).
std::filesystem::path defaultStateDir();

/// Where a remote (git, tarball) context of run `runId` is fetched under `stateDir`; removed when the run
/// ends.
std::filesystem::path fetchedContextDir(const std::filesystem::path& stateDir, const std::string& runId);

/// Creates `dir` (with parents) if missing, with mode 0700 whatever the umask; an existing folder keeps
/// its mode. Throws
/// std::filesystem::filesystem_error naming the path.
void makePrivateStateDir(const std::filesystem::path& dir);

}  // namespace hangar::agent
