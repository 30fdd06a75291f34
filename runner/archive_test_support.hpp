#pragma once
// Test helper (header only): writes .tar.gz files with arbitrary, even hostile, entries.

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace hangar::test {

/// One tar entry: a file (content), a directory, a symlink (target) or a character device.
struct TarEntry {
  TarEntry(std::string path, std::string content = "", mode_t type = AE_IFREG, std::string linkTarget = "")
      : path(std::move(path)), content(std::move(content)), type(type), linkTarget(std::move(linkTarget)) {}
  std::string path;
  std::string content;
  mode_t type;
  std::string linkTarget;
};

/// Writes `entries` as a gzip-compressed tar at `file`.
inline void writeTarGz(const std::filesystem::path& file, const std::vector<TarEntry>& entries) {
  archive* writer = archive_write_new();
  archive_write_add_filter_gzip(writer);
  archive_write_set_format_pax_restricted(writer);
  if (archive_write_open_filename(writer, file.c_str()) != ARCHIVE_OK)
    throw std::runtime_error("cannot write tar");
  for (const auto& item : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, item.path.c_str());
    archive_entry_set_filetype(entry, item.type);
    archive_entry_set_perm(entry, item.type == AE_IFDIR ? 0755 : 0644);
    if (item.type == AE_IFLNK) archive_entry_set_symlink(entry, item.linkTarget.c_str());
    if (item.type == AE_IFCHR) archive_entry_set_rdev(entry, makedev(1, 3));
    archive_entry_set_size(entry, item.type == AE_IFREG ? static_cast<la_int64_t>(item.content.size()) : 0);
    archive_write_header(writer, entry);
    if (item.type == AE_IFREG) archive_write_data(writer, item.content.data(), item.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
}

}  // namespace hangar::test
