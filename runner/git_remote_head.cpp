#include "runner/git_remote_head.hpp"

#include <git2.h>

#include <map>
#include <memory>

#include "runner/git_error.hpp"

namespace hangar::runner {

std::optional<std::string> remoteHead(const std::string& url, const std::string& ref,
                                      const GitCredentials* credentials) {
  ensureLibgit2();
  std::string secret = credentials && credentials->password ? *credentials->password : "";
  git_remote* remote = nullptr;
  checkGit(git_remote_create_detached(&remote, url.c_str()), "create remote", url, ref, secret);
  std::unique_ptr<git_remote, void (*)(git_remote*)> guard(remote, git_remote_free);
  CredentialPayload payload{credentials, 0};
  git_remote_callbacks callbacks;
  git_remote_init_callbacks(&callbacks, GIT_REMOTE_CALLBACKS_VERSION);
  callbacks.credentials = acquireGitCredential;
  callbacks.certificate_check = checkGitCertificate;
  callbacks.payload = &payload;
  checkGit(git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, nullptr, nullptr), "connect", url, ref,
           secret);
  const git_remote_head** heads = nullptr;
  size_t count = 0;
  checkGit(git_remote_ls(&heads, &count, remote), "list refs", url, ref, secret);
  std::map<std::string, std::string> refs;
  std::string headTarget;
  for (size_t i = 0; i < count; ++i) {
    refs[heads[i]->name] = git_oid_tostr_s(&heads[i]->oid);
    if (std::string(heads[i]->name) == "HEAD" && heads[i]->symref_target)
      headTarget = heads[i]->symref_target;
  }
  git_remote_disconnect(remote);
  auto find = [&](const std::string& name) -> std::optional<std::string> {
    if (auto peeled = refs.find(name + "^{}"); peeled != refs.end()) return peeled->second;
    if (auto it = refs.find(name); it != refs.end()) return it->second;
    return std::nullopt;
  };
  if (ref.empty()) return find(headTarget.empty() ? "HEAD" : headTarget);
  if (ref.rfind("refs/", 0) == 0) return find(ref);
  if (auto branch = find("refs/heads/" + ref)) return branch;
  return find("refs/tags/" + ref);
}

bool remoteBranchMoved(const std::string& url, const std::string& branch, const std::string& knownCommit,
                       const GitCredentials* credentials) {
  auto head = remoteHead(url, branch, credentials);
  return !head || *head != knownCommit;
}

}  // namespace hangar::runner
