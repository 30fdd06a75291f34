#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace hangar::test {

/// A fresh private directory under the system temp dir; it and everything in it are removed when the
/// object is destroyed. Move-only.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "hangar-test");
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  /// Writes `content` to `relative` (parent folders created) and returns the absolute path.
  std::filesystem::path write(const std::filesystem::path& relative, std::string_view content,
                              std::filesystem::perms perms = std::filesystem::perms::owner_read |
                                                             std::filesystem::perms::owner_write) const;

 private:
  void remove() noexcept;
  std::filesystem::path path_;
};

/// Reads a whole file; throws std::runtime_error naming the file when it cannot be read.
std::string read_file(const std::filesystem::path& file);

}  // namespace hangar::test
