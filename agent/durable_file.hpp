#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace hangar::agent {

// File operations that survive a crash or power loss at any point, for the spool queue. All throw
// std::system_error naming the path(s) on unexpected failures.

/// Creates `file` (it must not exist: O_EXCL), mode 0600, writes `content` and fsyncs it.
void writeNewFile(const std::filesystem::path& file, std::string_view content);

/// Renames `from` to `to` atomically without ever replacing an existing `to` (renameat2 with
/// RENAME_NOREPLACE, or link + unlink where the file system lacks it). Returns false when `from` does
/// not exist (another process took it); throws std::system_error with EEXIST when `to` exists.
bool renameNoReplace(const std::filesystem::path& from, const std::filesystem::path& to);

/// Renames `from` over `to` atomically (rename(2)). Returns false when `from` does not exist.
bool renameReplace(const std::filesystem::path& from, const std::filesystem::path& to);

/// Fsyncs a directory so that renames and unlinks in it are on disk.
void fsyncDirectory(const std::filesystem::path& directory);

/// Reads a regular file of at most `maxBytes` without following a symbolic link. Throws
/// std::runtime_error with a reason that never quotes the content (it may hold secrets).
std::string readRegularFile(const std::filesystem::path& file, std::size_t maxBytes);

}  // namespace hangar::agent
