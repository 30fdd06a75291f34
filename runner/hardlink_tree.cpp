#include "runner/hardlink_tree.hpp"

#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace hangar::runner {
namespace fs = std::filesystem;

HardlinkTreeStats hardlinkTree(const fs::path& source, const fs::path& destination) {
  HardlinkTreeStats stats;
  fs::create_directories(destination.parent_path());
  fs::create_directory(destination, source);  // copies the source's permissions
  if (fs::exists(destination) && !fs::is_empty(destination))
    throw fs::filesystem_error("hardlink tree: destination is not empty", destination,
                               std::make_error_code(std::errc::file_exists));
  bool sameFileSystem = true;
  for (auto it = fs::recursive_directory_iterator(source); it != fs::recursive_directory_iterator(); ++it) {
    const fs::path& from = it->path();
    const fs::path to = destination / from.lexically_relative(source);
    // The entry's type comes from the directory listing (d_type): no stat per file.
    if (it->is_symlink()) {
      fs::copy_symlink(from, to);
      ++stats.symlinks;
    } else if (it->is_directory()) {
      fs::create_directory(to, from);
      ++stats.directories;
    } else if (it->is_regular_file()) {
      if (sameFileSystem && ::link(from.c_str(), to.c_str()) == 0) {
        ++stats.linkedFiles;
        continue;
      }
      if (sameFileSystem && errno != EXDEV && errno != EPERM && errno != EMLINK)
        throw fs::filesystem_error("hardlink tree: cannot link", from, to,
                                   std::error_code(errno, std::generic_category()));
      sameFileSystem = sameFileSystem && errno != EXDEV;
      fs::copy_file(from, to);
      ++stats.copiedFiles;
    }
  }
  return stats;
}

}  // namespace hangar::runner
