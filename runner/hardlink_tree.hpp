#pragma once

#include <cstddef>
#include <filesystem>

namespace hangar::runner {

/// What hardlinkTree made.
struct HardlinkTreeStats {
  std::size_t linkedFiles = 0;  // regular files hard-linked
  std::size_t copiedFiles = 0;  // regular files copied (another file system)
  std::size_t directories = 0;
  std::size_t symlinks = 0;
};

/// Recreates the tree at `source` in `destination` (created; must not exist): directories with their
/// permissions, symlinks as symlinks (never followed), regular files as hard links to the source's
/// files (copies when the two are on different file systems). Other file types are skipped. The result
/// shares file contents with the source: whoever owns the source must replace files (write a new file,
/// then rename) rather than write into them, and the result must be treated as read-only. Throws
/// std::filesystem::filesystem_error naming the path that failed.
HardlinkTreeStats hardlinkTree(const std::filesystem::path& source, const std::filesystem::path& destination);

}  // namespace hangar::runner
