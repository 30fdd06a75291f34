#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/line_splitter.hpp"

namespace hangar::runner {

/// The image IDs a run's builds made, by the names they were tagged with. buildah changes an image's
/// names by reading and rewriting them, so another buildah process untagging the same image (another run
/// or a cleanup that built the same content) can drop a name this run just gave it; a push of that name
/// then fails with "image not known", and the name can be given to the ID again. Thread-safe.
class BuiltImages {
 public:
  /// Records `id` for each of `names` (image references as the build's -t flags gave them).
  void record(const std::vector<std::string>& names, const std::string& id);
  /// The ID built for `name` (compared with the default tag filled in), if a build of this run made it.
  std::optional<std::string> idOf(const std::string& name) const;

  /// The image ID buildah prints as the last line of a build: 64 lower-case hex digits; none otherwise.
  static std::optional<std::string> idFromBuildOutput(std::string_view lastLine);

 private:
  static std::string key(const std::string& name);
  mutable std::mutex mutex_;
  std::map<std::string, std::string> ids_;
};

/// Keeps the last line of a stream fed in chunks (at most 256 bytes of it): the build's image ID.
class LastLine {
 public:
  void feed(std::string_view chunk);
  /// The last non-empty line seen, without its newline (an unfinished one counts).
  const std::string& line() const { return lines_.pending().empty() ? complete_ : lines_.pending(); }

 private:
  LineSplitter lines_;
  std::string complete_;  // the last finished non-empty line
};

}  // namespace hangar::runner
