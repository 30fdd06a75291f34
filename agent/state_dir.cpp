#include "agent/state_dir.hpp"

#include <unistd.h>

#include <cstdlib>

namespace hangar::agent {

std::filesystem::path defaultStateDir() {
  std::filesystem::path dir;
  if (const char* explicitDir = std::getenv("HANGAR_STATE_DIR"); explicitDir && *explicitDir) {
    dir = explicitDir;
  } else if (geteuid() == 0) {
    dir = "/var/lib/hangar";
  } else if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) {
    dir = std::filesystem::path(xdg) / "hangar";
  } else {
    const char* home = std::getenv("HOME");
    dir = std::filesystem::path(home && *home ? home : "/tmp") / ".local/state/hangar";
  }
  makePrivateStateDir(dir);
  return dir;
}

void makePrivateStateDir(const std::filesystem::path& dir) {
  // Logs, run records and run directories live here: owner only, whatever the umask. A folder that
  // exists already keeps its mode (it may be one the administrator chose, or a shared one like /tmp).
  if (std::filesystem::create_directories(dir))
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace);
}

std::filesystem::path fetchedContextDir(const std::filesystem::path& stateDir, const std::string& runId) {
  return stateDir / "contexts" / runId;
}

}  // namespace hangar::agent
