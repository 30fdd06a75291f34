#include "runner/git_checkout.hpp"

#include <git2.h>

#include <fstream>
#include <string_view>
#include <vector>

#include "runner/context_url.hpp"
#include "runner/git_error.hpp"

namespace hangar::runner {
namespace fs = std::filesystem;
namespace {

struct RepoGuard {
  git_repository* ptr = nullptr;
  ~RepoGuard() {
    if (ptr) git_repository_free(ptr);
  }
};

struct SubmoduleEntry {
  std::string name;
  std::string path;
  std::string url;
  std::string commit;
};

std::vector<SubmoduleEntry> listSubmodules(git_repository* repo, const std::string& url) {
  std::vector<std::string> names;
  int code = git_submodule_foreach(
      repo,
      [](git_submodule*, const char* name, void* payload) {
        static_cast<std::vector<std::string>*>(payload)->push_back(name);
        return 0;
      },
      &names);
  checkGit(code, "list submodules", url, "");
  std::vector<SubmoduleEntry> entries;
  for (const auto& name : names) {
    git_submodule* submodule = nullptr;
    checkGit(git_submodule_lookup(&submodule, repo, name.c_str()), "look up submodule " + name, url, "");
    SubmoduleEntry entry{name, git_submodule_path(submodule),
                         git_submodule_url(submodule) ? git_submodule_url(submodule) : "", ""};
    if (const git_oid* id = git_submodule_head_id(submodule)) entry.commit = git_oid_tostr_s(id);
    git_submodule_free(submodule);
    if (entry.commit.empty() || entry.url.empty())
      continue;  // declared but not committed: nothing to check out
    if (entry.url.rfind("./", 0) == 0 || entry.url.rfind("../", 0) == 0) {
      git_buf resolved = GIT_BUF_INIT;
      checkGit(git_submodule_resolve_url(&resolved, repo, entry.url.c_str()),
               "resolve submodule URL " + entry.url, url, "");
      entry.url = resolved.ptr;
      git_buf_dispose(&resolved);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace

TreeTraits inspectTree(const git_commit* commit, const std::string& url) {
  git_tree* tree = nullptr;
  std::string id = git_oid_tostr_s(git_commit_id(commit));
  checkGit(git_commit_tree(&tree, commit), "read the tree of " + id, url, id);
  TreeTraits traits;
  traits.hasSubmodules = git_tree_entry_byname(tree, ".gitmodules") != nullptr;
  int code = git_tree_walk(
      tree, GIT_TREEWALK_PRE,
      [](const char*, const git_tree_entry* entry, void* payload) {
        if (std::string_view(git_tree_entry_name(entry)) == ".gitattributes") {
          static_cast<TreeTraits*>(payload)->hasAttributes = true;
          return -1;  // found: stop walking
        }
        return 0;
      },
      &traits);
  git_tree_free(tree);
  if (code < 0 && !traits.hasAttributes) checkGit(code, "walk the tree of " + id, url, id);
  git_error_clear();
  return traits;
}

void checkoutFromMirror(GitMirrorCache& cache, const fs::path& mirror, const std::string& url,
                        const std::string& commit, const fs::path& directory,
                        const GitFetchOptions& options) {
  ensureLibgit2();
  fs::create_directories(directory);
  {
    RepoGuard repo;
    checkGit(git_repository_init(&repo.ptr, directory.c_str(), 0), "create " + directory.string(), url,
             commit);
  }
  {
    std::ofstream alternates(directory / ".git" / "objects" / "info" / "alternates");
    alternates << fs::absolute(mirror / "objects").string() << "\n";
    if (!alternates)
      throw GitError(GitFailure::Other, url, commit, "cannot write alternates in " + directory.string());
  }
  RepoGuard repo;
  checkGit(git_repository_open(&repo.ptr, directory.c_str()), "open " + directory.string(), url, commit);
  git_remote* origin = nullptr;
  checkGit(git_remote_create(&origin, repo.ptr, "origin", stripCredentials(url).c_str()), "add origin", url,
           commit);
  git_remote_free(origin);

  git_oid oid;
  checkGit(git_oid_fromstr(&oid, commit.c_str()), "parse commit id", url, commit);
  git_object* target = nullptr;
  checkGit(git_object_lookup(&target, repo.ptr, &oid, GIT_OBJECT_COMMIT), "look up commit", url, commit);
  git_checkout_options checkoutOptions;
  git_checkout_options_init(&checkoutOptions, GIT_CHECKOUT_OPTIONS_VERSION);
  checkoutOptions.checkout_strategy = GIT_CHECKOUT_FORCE;
  // Without any .gitattributes no filter can apply (hangar does not read core.autocrlf): skip their
  // per-file attribute lookups, which cost more than writing the files.
  checkoutOptions.disable_filters = !inspectTree(reinterpret_cast<git_commit*>(target), url).hasAttributes;
  int code = git_checkout_tree(repo.ptr, target, &checkoutOptions);
  git_object_free(target);
  checkGit(code, "check out into " + directory.string(), url, commit);
  checkGit(git_repository_set_head_detached(repo.ptr, &oid), "detach HEAD", url, commit);

  for (const auto& submodule : listSubmodules(repo.ptr, url)) {
    if (options.log)
      options.log("git: submodule " + submodule.path + " from " + stripCredentials(submodule.url));
    auto [update, resolved] = cache.update(submodule.url, submodule.commit, options);
    fs::path subdir = directory / submodule.path;
    fs::remove_all(subdir);  // the superproject's checkout leaves an empty folder
    checkoutFromMirror(cache, update.path, submodule.url, resolved.commit, subdir, options);
  }
}

}  // namespace hangar::runner
