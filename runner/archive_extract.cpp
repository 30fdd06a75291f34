#include "runner/archive_extract.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace hangar::runner {
namespace fs = std::filesystem;
namespace {

// A symlink stays inside when its target, taken relative to the link's folder, never climbs above the root.
bool symlinkStaysInside(const std::string& entry, const std::string& target) {
  if (target.empty() || target.front() == '/') return false;
  int depth = 0;
  fs::path folder = fs::path(entry).lexically_normal().parent_path();
  for (const auto& part : folder)
    if (!part.empty() && part != ".") ++depth;
  for (const auto& part : fs::path(target)) {
    if (part == "..") {
      if (--depth < 0) return false;
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
  }
  return true;
}

}  // namespace

void extractArchive(const fs::path& archivePath, const fs::path& destination, const ArchiveLimits& limits) {
  std::unique_ptr<archive, decltype(&archive_read_free)> reader(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_all(reader.get());
  if (archive_read_open_filename(reader.get(), archivePath.c_str(), 64 * 1024) != ARCHIVE_OK)
    throw std::runtime_error("archive " + archivePath.string() + ": " + archive_error_string(reader.get()));
  std::unique_ptr<archive, decltype(&archive_write_free)> writer(archive_write_disk_new(),
                                                                 archive_write_free);
  // Entries are re-rooted under `destination` (absolute paths), so ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS
  // cannot be used: absolute entry names are rejected below before re-rooting instead.
  archive_write_disk_set_options(writer.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                                   ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                   ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  archive_write_disk_set_standard_lookup(writer.get());
  fs::create_directories(destination);
  fs::path root = fs::canonical(destination);
  std::size_t entries = 0;
  std::uintmax_t totalBytes = 0;
  const auto tooLarge = [&] {
    throw std::runtime_error("archive " + archivePath.string() + ": unpacks to more than " +
                             std::to_string(limits.maxTotalBytes) + " bytes (the limit)");
  };

  for (;;) {
    archive_entry* entry = nullptr;
    int status = archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_EOF) break;
    if (status < ARCHIVE_WARN)
      throw std::runtime_error("archive " + archivePath.string() + ": " + archive_error_string(reader.get()));
    std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    auto fail = [&](const std::string& why) {
      throw std::runtime_error("archive " + archivePath.string() + ": entry '" + name + "' rejected: " + why);
    };
    if (++entries > limits.maxEntries)
      throw std::runtime_error("archive " + archivePath.string() + ": more than " +
                               std::to_string(limits.maxEntries) + " entries (the limit)");
    fs::path relative = fs::path(name).lexically_normal();
    if (name.empty() || relative.is_absolute()) fail("absolute or empty path");
    for (const auto& part : relative)
      if (part == "..") fail("path escapes the destination ('..')");
    mode_t type = archive_entry_filetype(entry);
    // A hard link's type is that of its target, or none at all (tar typeflag '1'): checked below.
    const bool hardLink = archive_entry_hardlink(entry) != nullptr;
    if (!hardLink && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
      fail("device files, FIFOs and sockets are not allowed");
    if (type == AE_IFLNK &&
        !symlinkStaysInside(name, archive_entry_symlink(entry) ? archive_entry_symlink(entry) : ""))
      fail(std::string("symlink target '") +
           (archive_entry_symlink(entry) ? archive_entry_symlink(entry) : "") +
           "' is outside the destination");
    if (const char* link = archive_entry_hardlink(entry)) {
      fs::path target = fs::path(link).lexically_normal();
      for (const auto& part : target)
        if (part == ".." || target.is_absolute()) fail("hard link target escapes the destination");
      archive_entry_set_hardlink(entry, (root / target).c_str());
    }
    archive_entry_set_pathname(entry, (root / relative).c_str());
    if (archive_write_header(writer.get(), entry) < ARCHIVE_WARN) fail(archive_error_string(writer.get()));
    if (archive_entry_size(entry) > 0 && type == AE_IFREG) {
      // The declared size is checked first; the bytes actually read are counted too (it may lie).
      if (static_cast<std::uintmax_t>(archive_entry_size(entry)) > limits.maxTotalBytes - totalBytes)
        tooLarge();
      const void* block = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      while ((status = archive_read_data_block(reader.get(), &block, &size, &offset)) == ARCHIVE_OK) {
        if (size > limits.maxTotalBytes - totalBytes) tooLarge();
        totalBytes += size;
        if (archive_write_data_block(writer.get(), block, size, offset) < ARCHIVE_WARN)
          fail(archive_error_string(writer.get()));
      }
      if (status != ARCHIVE_EOF) fail(archive_error_string(reader.get()));
    }
    if (archive_write_finish_entry(writer.get()) < ARCHIVE_WARN) fail(archive_error_string(writer.get()));
  }
  if (archive_write_close(writer.get()) != ARCHIVE_OK)
    throw std::runtime_error("archive " + archivePath.string() + ": " + archive_error_string(writer.get()));
}

}  // namespace hangar::runner
