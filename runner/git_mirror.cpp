#include "runner/git_mirror.hpp"

#include <fcntl.h>
#include <git2.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <memory>
#include <thread>

#include "runner/context_url.hpp"
#include "runner/git_error.hpp"
#include "runner/git_ptr.hpp"

namespace hangar::runner {
namespace fs = std::filesystem;
namespace {

using Repo = GitPtr<git_repository, git_repository_free>;
using Remote = GitPtr<git_remote, git_remote_free>;
using Reference = GitPtr<git_reference, git_reference_free>;
using Object = GitPtr<git_object, git_object_free>;

struct BufGuard {
  git_buf buf = GIT_BUF_INIT;
  ~BufGuard() { git_buf_dispose(&buf); }
};

// An flock held for the lifetime of the object; the kernel drops it if the process dies.
class MirrorLock {
 public:
  MirrorLock(const fs::path& file, std::chrono::milliseconds timeout, const std::string& url) {
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw GitError(GitFailure::Other, url, "", "cannot open lock file " + file.string());
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) {
        ::close(fd_);
        throw GitError(GitFailure::Other, url, "", "cannot lock " + file.string());
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        ::close(fd_);
        throw GitError(GitFailure::LockTimeout, url, "",
                       "another fetch held " + file.string() + " for more than " +
                           std::to_string(timeout.count()) + " ms");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a lock, not synchronising a test
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) == 0) (void)!::write(fd_, pid.data(), pid.size());
  }
  ~MirrorLock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
  MirrorLock(const MirrorLock&) = delete;
  MirrorLock& operator=(const MirrorLock&) = delete;

 private:
  int fd_ = -1;
};

struct ProgressState {
  const GitFetchOptions* options = nullptr;
  std::chrono::steady_clock::time_point lastReport;
};

int onTransferProgress(const git_indexer_progress* stats, void* payload) {
  auto* state = static_cast<ProgressState*>(payload);
  if (!state->options->log || !isatty(STDERR_FILENO)) return 0;
  auto now = std::chrono::steady_clock::now();
  if (now - state->lastReport < std::chrono::seconds(1)) return 0;
  state->lastReport = now;
  state->options->log("git: received " + std::to_string(stats->received_objects) + "/" +
                      std::to_string(stats->total_objects) + " objects, " +
                      std::to_string(stats->received_bytes / 1024) + " KiB");
  return 0;
}

struct FetchPayload {
  CredentialPayload credentials;
  ProgressState progress;
};

std::string secretOf(const GitFetchOptions& options) {
  return options.credentials && options.credentials->password ? *options.credentials->password
                                                              : std::string();
}

// Fetches every ref of `url` into the bare repository at `path`; HEAD follows the remote default branch.
GitTransferStats fetchInto(const fs::path& path, const std::string& url, const std::string& ref,
                           const GitFetchOptions& options) {
  std::string secret = secretOf(options);
  Repo repo;
  checkGit(git_repository_open_bare(repo.out(), path.c_str()), "open mirror " + path.string(), url, ref,
           secret);
  Remote remote;
  checkGit(git_remote_create_anonymous(remote.out(), repo.get(), url.c_str()), "create remote", url, ref,
           secret);

  FetchPayload payload{{options.credentials, 0}, {&options, std::chrono::steady_clock::now()}};
  git_fetch_options fetchOptions;
  git_fetch_options_init(&fetchOptions, GIT_FETCH_OPTIONS_VERSION);
  fetchOptions.callbacks.payload = &payload;
  fetchOptions.callbacks.credentials = [](git_credential** out, const char* u, const char* user,
                                          unsigned int types, void* p) {
    return acquireGitCredential(out, u, user, types, &static_cast<FetchPayload*>(p)->credentials);
  };
  fetchOptions.callbacks.certificate_check = [](git_cert* cert, int valid, const char* host, void* p) {
    return checkGitCertificate(cert, valid, host, &static_cast<FetchPayload*>(p)->credentials);
  };
  fetchOptions.callbacks.transfer_progress = [](const git_indexer_progress* stats, void* p) {
    return onTransferProgress(stats, &static_cast<FetchPayload*>(p)->progress);
  };
  fetchOptions.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;

  auto start = std::chrono::steady_clock::now();
  checkGit(git_remote_connect(remote.get(), GIT_DIRECTION_FETCH, &fetchOptions.callbacks, nullptr, nullptr),
           "connect", url, ref, secret);
  BufGuard defaultBranch;
  int hasDefault = git_remote_default_branch(&defaultBranch.buf, remote.get());
  if (hasDefault < 0 && hasDefault != GIT_ENOTFOUND)
    checkGit(hasDefault, "read the default branch", url, ref, secret);

  char mirrorSpec[] = "+refs/*:refs/*";
  char* specs[] = {mirrorSpec};
  git_strarray refspecs{specs, 1};
  checkGit(git_remote_download(remote.get(), &refspecs, &fetchOptions), "fetch", url, ref, secret);
  checkGit(
      git_remote_update_tips(remote.get(), &fetchOptions.callbacks, 0, GIT_REMOTE_DOWNLOAD_TAGS_ALL, nullptr),
      "update refs", url, ref, secret);
  checkGit(git_remote_prune(remote.get(), &fetchOptions.callbacks), "prune refs", url, ref, secret);
  const git_indexer_progress* stats = git_remote_stats(remote.get());
  GitTransferStats result;
  result.receivedObjects = stats->received_objects;
  result.receivedBytes = stats->received_bytes;
  result.totalObjects = stats->total_objects;
  result.localObjects = stats->local_objects;
  git_remote_disconnect(remote.get());
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (hasDefault == 0 && defaultBranch.buf.ptr)
    checkGit(git_repository_set_head(repo.get(), defaultBranch.buf.ptr), "set HEAD", url, ref, secret);
  return result;
}

void cloneInto(const fs::path& path, const std::string& url, const std::string& ref,
               const GitFetchOptions& options, MirrorUpdate& update) {
  fs::path staging = path;
  staging += ".tmp";
  fs::remove_all(staging);
  {
    Repo repo;
    checkGit(git_repository_init(repo.out(), staging.c_str(), 1), "create mirror " + staging.string(), url,
             "");
  }
  try {
    update.stats = fetchInto(staging, url, ref, options);
  } catch (...) {
    fs::remove_all(staging);  // buildkite #1671: never leave a half clone behind
    throw;
  }
  fs::rename(staging, path);
  update.cloned = true;
}

std::string rate(const GitTransferStats& stats) {
  char text[160];
  double mib = static_cast<double>(stats.receivedBytes) / (1024.0 * 1024.0);
  std::snprintf(text, sizeof text, "%zu objects, %.2f MiB in %.2f s (%.2f MiB/s)", stats.receivedObjects, mib,
                stats.seconds, stats.seconds > 0 ? mib / stats.seconds : 0.0);
  return text;
}

std::string hexHash(const std::string& text) {
  git_oid oid;
  git_odb_hash(&oid, text.data(), text.size(), GIT_OBJECT_BLOB);
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &oid);
  return hex;
}

}  // namespace

GitMirrorCache::GitMirrorCache(fs::path root) : root_(std::move(root)) { ensureLibgit2(); }

fs::path GitMirrorCache::mirrorPath(const std::string& url) const {
  std::string normalized = normalizeRepositoryUrl(url);
  std::string name = normalized.substr(normalized.find_last_of("/:") + 1);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  return root_ / (hexHash(normalized).substr(0, 20) + "-" + name + ".git");
}

std::pair<MirrorUpdate, ResolvedRef> GitMirrorCache::update(const std::string& url, const std::string& ref,
                                                            const GitFetchOptions& options,
                                                            const UnderLock& underLock) {
  fs::create_directories(root_);
  MirrorUpdate update;
  update.path = mirrorPath(url);
  fs::path lockFile = update.path;
  lockFile += ".lock";
  MirrorLock lock(lockFile, options.lockTimeout, url);

  auto refresh = [&] {
    if (fs::exists(update.path / "HEAD"))
      update.stats = fetchInto(update.path, url, ref, options);
    else
      cloneInto(update.path, url, ref, options, update);
    ResolvedRef found = resolveRef(update.path, ref, url);
    if (options.log)
      options.log(std::string("git: ") + (update.cloned ? "cloned " : "fetched ") + stripCredentials(url) +
                  ": " + rate(update.stats));
    if (underLock) underLock(update, found);
    return found;
  };
  ResolvedRef resolved;
  try {
    resolved = refresh();
  } catch (const GitError& error) {
    if (error.failure() != GitFailure::Corrupt || update.cloned) throw;
    if (options.log)
      options.log("git: mirror " + update.path.string() + " is corrupt (" + error.what() + "); re-cloning");
    fs::remove_all(update.path);
    update.healed = true;
    resolved = refresh();
  }
  return {update, resolved};
}

ResolvedRef resolveRef(const fs::path& repository, const std::string& ref, const std::string& url) {
  ensureLibgit2();
  Repo repo;
  checkGit(git_repository_open(repo.out(), repository.c_str()), "open " + repository.string(), url, ref);
  ResolvedRef resolved;
  auto peelToCommit = [&](const char* name) -> bool {
    Object object;
    if (git_revparse_single(object.out(), repo.get(), name) < 0) return false;
    Object commit;
    if (git_object_peel(commit.out(), object.get(), GIT_OBJECT_COMMIT) < 0) return false;
    resolved.commit = git_oid_tostr_s(git_object_id(commit.get()));
    return true;
  };
  // The commit and its root tree must be readable: a mirror with damaged objects counts as corrupt.
  auto verify = [&](ResolvedRef found) {
    git_oid oid;
    git_oid_fromstr(&oid, found.commit.c_str());
    git_commit* commit = nullptr;
    checkGit(git_commit_lookup(&commit, repo.get(), &oid), "read commit " + found.commit, url, ref);
    git_tree* tree = nullptr;
    int code = git_commit_tree(&tree, commit);
    git_commit_free(commit);
    checkGit(code, "read the tree of " + found.commit, url, ref);
    git_tree_free(tree);
    return found;
  };
  if (ref.empty()) {
    Reference head;
    int code = git_repository_head(head.out(), repo.get());
    if (code < 0)
      checkGit(code == GIT_EUNBORNBRANCH ? GIT_ENOTFOUND : code, "read the default branch", url, ref);
    resolved.branch = git_reference_shorthand(head.get());
    resolved.commit = git_oid_tostr_s(git_reference_target(head.get()));
    return verify(resolved);
  }
  if (ref.rfind("refs/", 0) == 0) {
    if (peelToCommit(ref.c_str())) {
      if (ref.rfind("refs/heads/", 0) == 0) resolved.branch = ref.substr(11);
      if (ref.rfind("refs/tags/", 0) == 0) resolved.tag = ref.substr(10);
      return verify(resolved);
    }
  } else if (peelToCommit(("refs/heads/" + ref).c_str())) {
    resolved.branch = ref;
    return verify(resolved);
  } else if (peelToCommit(("refs/tags/" + ref).c_str())) {
    resolved.tag = ref;
    return verify(resolved);
  } else if (ref.size() >= 4 && ref.size() <= GIT_OID_HEXSZ &&
             ref.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
    git_oid prefix;
    Object object;
    if (git_oid_fromstrn(&prefix, ref.c_str(), ref.size()) == 0 &&
        git_object_lookup_prefix(object.out(), repo.get(), &prefix, ref.size(), GIT_OBJECT_ANY) == 0) {
      Object commit;
      if (git_object_peel(commit.out(), object.get(), GIT_OBJECT_COMMIT) == 0) {
        resolved.commit = git_oid_tostr_s(git_object_id(commit.get()));
        return verify(resolved);
      }
    }
  }
  throw GitError(GitFailure::RefNotFound, url, ref, "no branch, tag, commit or ref named '" + ref + "'");
}

}  // namespace hangar::runner
