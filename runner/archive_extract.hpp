#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace hangar::runner {

/// Bounds on what one archive may unpack to (a decompression bomb is refused, not written to disk).
struct ArchiveLimits {
  std::uintmax_t maxTotalBytes = std::uintmax_t(4) << 30;  ///< file contents, summed over all entries
  std::size_t maxEntries = 500'000;                        ///< files, folders and links
};

/// Unpacks a (compressed) tar archive into `destination` safely: entries with `..`, absolute paths,
/// device files, FIFOs and sockets, and symlinks pointing outside the destination are rejected
/// (std::runtime_error naming the entry); nothing is written through a symlink; more entries or
/// content bytes than `limits` allow are an error. Permissions are kept, ownership is not.
void extractArchive(const std::filesystem::path& archive, const std::filesystem::path& destination,
                    const ArchiveLimits& limits = {});

}  // namespace hangar::runner
