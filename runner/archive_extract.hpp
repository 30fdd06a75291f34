#pragma once

#include <filesystem>

namespace hangar::runner {

/// Unpacks a (compressed) tar archive into `destination` safely: entries with `..`, absolute paths,
/// device files, FIFOs and sockets, and symlinks pointing outside the destination are rejected
/// (std::runtime_error naming the entry); nothing is written through a symlink. Permissions are
/// kept, ownership is not.
void extractArchive(const std::filesystem::path& archive, const std::filesystem::path& destination);

}  // namespace hangar::runner
