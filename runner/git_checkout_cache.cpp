#include "runner/git_checkout_cache.hpp"

#include <fcntl.h>
#include <git2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

#include "runner/git_checkout.hpp"
#include "runner/git_error.hpp"
#include "runner/git_ptr.hpp"
#include "runner/hardlink_tree.hpp"

namespace hangar::runner {
namespace fs = std::filesystem;
namespace {

using Repo = GitPtr<git_repository, git_repository_free>;
using Commit = GitPtr<git_commit, git_commit_free>;
using Tree = GitPtr<git_tree, git_tree_free>;
using Diff = GitPtr<git_diff, git_diff_free>;

// `<root>/<hash>-name.git` -> `<root>/<hash>-name.checkout` and its state file `...checkout.state`.
fs::path cachedCheckoutOf(const fs::path& mirror) {
  fs::path path = mirror;
  path.replace_extension(".checkout");
  return path;
}

fs::path stateFileOf(const fs::path& checkout) {
  fs::path path = checkout;
  path += ".state";
  return path;
}

// The state file holds the commit the cached checkout is complete at, and whether filters were on.
// It is removed before any change and written (by rename) after one: a crash leaves no state.
struct CacheState {
  std::string commit;
  bool filters = false;
};

std::optional<CacheState> readState(const fs::path& file) {
  std::ifstream in(file);
  CacheState state;
  std::string filters;
  if (!(in >> state.commit >> filters) || state.commit.size() != GIT_OID_HEXSZ) return std::nullopt;
  state.filters = filters == "filters=1";
  return state;
}

void writeState(const fs::path& file, const CacheState& state) {
  fs::path staging = file;
  staging += ".tmp";
  {
    std::ofstream out(staging, std::ios::trunc);
    out << state.commit << "\n" << (state.filters ? "filters=1" : "filters=0") << "\n";
    out.close();
    if (!out) throw std::runtime_error("cannot write " + staging.string());
  }
  fs::rename(staging, file);
}

git_commit* lookupCommit(git_repository* repo, const std::string& sha, const std::string& url,
                         Commit& holder) {
  git_oid oid;
  checkGit(git_oid_fromstr(&oid, sha.c_str()), "parse commit id", url, sha);
  checkGit(git_commit_lookup(holder.out(), repo, &oid), "look up commit " + sha, url, sha);
  return holder.get();
}

// Removes `relative` from the cached checkout (a file, a symlink or an empty folder left by a gitlink),
// then the folders above it that became empty.
void removeFromCheckout(const fs::path& root, const std::string& relative) {
  fs::path path = root / relative;
  std::error_code ignored;
  if (fs::is_directory(fs::symlink_status(path)))
    fs::remove(path, ignored);  // a gitlink's folder, empty unless something else is wrong
  else
    fs::remove(path);
  for (fs::path parent = path.parent_path(); parent != root && parent.native().size() > root.native().size();
       parent = parent.parent_path()) {
    if (!fs::is_directory(parent) || !fs::is_empty(parent)) break;
    fs::remove(parent);
  }
}

// Writes the blob `id` to `path` (absent: the old file was removed first) as a file, an executable
// file or a symlink; through the repository's filters when `filters`. Returns the index entry.
git_index_entry writeEntry(git_repository* repo, const fs::path& root, const git_diff_file& file,
                           bool filters, const std::string& url, const std::string& commit) {
  const fs::path path = root / file.path;
  fs::create_directories(path.parent_path());
  if (file.mode == GIT_FILEMODE_COMMIT) {  // a gitlink without .gitmodules: an empty folder, as checkout does
    fs::create_directories(path);
  } else {
    GitPtr<git_blob, git_blob_free> blob;
    checkGit(git_blob_lookup(blob.out(), repo, &file.id), std::string("read ") + file.path, url, commit);
    git_buf filtered = GIT_BUF_INIT;
    const char* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
    std::size_t size = static_cast<std::size_t>(git_blob_rawsize(blob.get()));
    if (filters && file.mode != GIT_FILEMODE_LINK) {
      git_blob_filter_options options;
      git_blob_filter_options_init(&options, GIT_BLOB_FILTER_OPTIONS_VERSION);
      checkGit(git_blob_filter(&filtered, blob.get(), file.path, &options),
               std::string("filter ") + file.path, url, commit);
      data = filtered.ptr;
      size = filtered.size;
    }
    int error = 0;
    if (file.mode == GIT_FILEMODE_LINK) {
      std::string target(data, size);
      if (::symlink(target.c_str(), path.c_str()) != 0) error = errno;
    } else {
      mode_t mode = file.mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0777 : 0666;  // umask applies, as in git
      int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
      if (fd < 0) error = errno;
      for (std::size_t done = 0; fd >= 0 && done < size;) {
        ssize_t n = ::write(fd, data + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          error = errno;
          break;
        }
        done += static_cast<std::size_t>(n);
      }
      if (fd >= 0 && ::close(fd) != 0 && error == 0) error = errno;
    }
    git_buf_dispose(&filtered);
    if (error != 0)
      throw fs::filesystem_error("cannot write the cached checkout", path,
                                 std::error_code(error, std::generic_category()));
  }
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0)
    throw fs::filesystem_error("cannot stat", path, std::error_code(errno, std::generic_category()));
  git_index_entry entry{};
  entry.ctime.seconds = static_cast<int32_t>(info.st_ctim.tv_sec);
  entry.ctime.nanoseconds = static_cast<uint32_t>(info.st_ctim.tv_nsec);
  entry.mtime.seconds = static_cast<int32_t>(info.st_mtim.tv_sec);
  entry.mtime.nanoseconds = static_cast<uint32_t>(info.st_mtim.tv_nsec);
  entry.dev = static_cast<uint32_t>(info.st_dev);
  entry.ino = static_cast<uint32_t>(info.st_ino);
  entry.mode = file.mode;
  entry.uid = info.st_uid;
  entry.gid = info.st_gid;
  entry.file_size = file.mode == GIT_FILEMODE_COMMIT ? 0 : static_cast<uint32_t>(info.st_size);
  entry.id = file.id;
  entry.path = file.path;
  return entry;
}

// Brings the cached checkout from `from` to `to` by writing only what the two trees' diff names, and
// updates its index to match. Returns false (nothing done) when the change needs the full path:
// `.gitattributes` or `.gitmodules` touched. Returns the count of files written through `written`.
bool updateIncrementally(const fs::path& checkout, const CacheState& from, const std::string& to,
                         const std::string& url, std::size_t& written) {
  Repo repo;
  checkGit(git_repository_open(repo.out(), checkout.c_str()), "open " + checkout.string(), url, to);
  Commit oldHolder, newHolder;
  git_commit* oldCommit = lookupCommit(repo.get(), from.commit, url, oldHolder);
  git_commit* newCommit = lookupCommit(repo.get(), to, url, newHolder);
  Tree oldTree, newTree;
  checkGit(git_commit_tree(oldTree.out(), oldCommit), "read the tree of " + from.commit, url, to);
  checkGit(git_commit_tree(newTree.out(), newCommit), "read the tree of " + to, url, to);
  Diff diff;
  git_diff_options diffOptions;
  git_diff_options_init(&diffOptions, GIT_DIFF_OPTIONS_VERSION);
  diffOptions.flags = GIT_DIFF_SKIP_BINARY_CHECK;
  checkGit(git_diff_tree_to_tree(diff.out(), repo.get(), oldTree.get(), newTree.get(), &diffOptions),
           "compare " + from.commit + " with " + to, url, to);

  auto special = [](std::string_view path) {
    std::string_view name = path.substr(path.find_last_of('/') + 1);
    return name == ".gitattributes" || path == ".gitmodules";
  };
  std::vector<const git_diff_file*> removals, additions;
  const std::size_t count = git_diff_num_deltas(diff.get());
  for (std::size_t i = 0; i < count; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    if (special(delta->old_file.path) || special(delta->new_file.path)) return false;
    if (delta->status != GIT_DELTA_ADDED) removals.push_back(&delta->old_file);
    if (delta->status != GIT_DELTA_DELETED) additions.push_back(&delta->new_file);
  }
  GitPtr<git_index, git_index_free> index;
  checkGit(git_repository_index(index.out(), repo.get()), "open the index of " + checkout.string(), url, to);
  // Old files go first (unlinked, never truncated: snapshots of earlier runs share their contents), so a
  // file that becomes a folder, or a folder that becomes a file, finds its place free.
  for (const git_diff_file* file : removals) {
    removeFromCheckout(checkout, file->path);
    int code = git_index_remove_bypath(index.get(), file->path);
    if (code != GIT_ENOTFOUND) checkGit(code, std::string("unindex ") + file->path, url, to);
  }
  for (const git_diff_file* file : additions) {
    git_index_entry entry = writeEntry(repo.get(), checkout, *file, from.filters, url, to);
    checkGit(git_index_add(index.get(), &entry), std::string("index ") + file->path, url, to);
    ++written;
  }
  checkGit(git_index_write(index.get()), "write the index of " + checkout.string(), url, to);
  checkGit(git_repository_set_head_detached(repo.get(), git_commit_id(newCommit)), "detach HEAD", url, to);
  return true;
}

// The tree traits of `commit` as read from the mirror.
TreeTraits traitsOf(const fs::path& mirror, const std::string& commit, const std::string& url) {
  Repo repo;
  checkGit(git_repository_open_bare(repo.out(), mirror.c_str()), "open mirror " + mirror.string(), url,
           commit);
  Commit holder;
  return inspectTree(lookupCommit(repo.get(), commit, url, holder), url);
}

}  // namespace

std::string describe(CachedCheckoutResult::Mode mode) {
  switch (mode) {
    case CachedCheckoutResult::Mode::Unchanged:
      return "unchanged";
    case CachedCheckoutResult::Mode::Incremental:
      return "incremental";
    case CachedCheckoutResult::Mode::Full:
      return "full";
    case CachedCheckoutResult::Mode::Direct:
      return "direct";
  }
  return "unknown";
}

CachedCheckoutResult checkoutThroughCache(GitMirrorCache& cache, const fs::path& mirror,
                                          const std::string& url, const std::string& commit,
                                          const fs::path& destination, const GitFetchOptions& options) {
  ensureLibgit2();
  auto start = std::chrono::steady_clock::now();
  CachedCheckoutResult result;
  TreeTraits traits = traitsOf(mirror, commit, url);
  if (traits.hasSubmodules) {  // each submodule has a mirror and a lock of its own: check out directly
    checkoutFromMirror(cache, mirror, url, commit, destination, options);
    result.mode = CachedCheckoutResult::Mode::Direct;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  }

  const fs::path checkout = cachedCheckoutOf(mirror);
  const fs::path stateFile = stateFileOf(checkout);
  std::optional<CacheState> state = fs::is_directory(checkout) ? readState(stateFile) : std::nullopt;
  fs::remove(stateFile);  // from here until the end the cached checkout counts as incomplete
  bool done = false;
  if (state && state->commit == commit) {
    result.mode = CachedCheckoutResult::Mode::Unchanged;
    done = true;
  } else if (state && state->filters == traits.hasAttributes) {
    try {
      done = updateIncrementally(checkout, *state, commit, url, result.filesWritten);
      result.mode = CachedCheckoutResult::Mode::Incremental;
    } catch (const std::exception& error) {  // e.g. a mirror pruned under the old commit: start again
      if (options.log) options.log(std::string("git: cached checkout rebuilt: ") + error.what());
    }
  }
  if (!done) {
    fs::path staging = checkout;
    staging += ".tmp";
    fs::remove_all(staging);
    fs::remove_all(checkout);
    checkoutFromMirror(cache, mirror, url, commit, staging, options);
    fs::rename(staging, checkout);
    result.mode = CachedCheckoutResult::Mode::Full;
  }
  writeState(stateFile, {commit, traits.hasAttributes});

  fs::remove_all(destination);
  HardlinkTreeStats linked = hardlinkTree(checkout, destination);
  result.filesLinked = linked.linkedFiles;
  if (result.mode == CachedCheckoutResult::Mode::Full)
    result.filesWritten = linked.linkedFiles + linked.copiedFiles;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace hangar::runner
