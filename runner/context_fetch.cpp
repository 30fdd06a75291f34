#include "runner/context_fetch.hpp"

#include <stdexcept>

#include "runner/archive_download.hpp"
#include "runner/archive_extract.hpp"
#include "runner/git_checkout_cache.hpp"

namespace hangar::runner {
namespace fs = std::filesystem;

FetchedContext fetchContext(const ContextUrl& context, const fs::path& destination,
                            const ContextFetchOptions& options) {
  GitCredentials credentials = options.credentials;
  if (context.username) credentials.username = context.username;
  if (context.password) credentials.password = context.password;

  fs::remove_all(destination);  // a context directory is always fresh
  FetchedContext fetched;
  fetched.root = destination;
  fetched.repository = context.url;
  if (context.kind == ContextKind::Archive) {
    fs::create_directories(destination);
    fs::path download = destination;
    download += ".download.tar.gz";
    downloadFile(context.url, download, credentials.username, credentials.password);
    try {
      extractArchive(download, destination);
    } catch (...) {
      fs::remove(download);
      throw;
    }
    fs::remove(download);
    if (options.log) options.log("context: unpacked " + context.url);
  } else {
    GitMirrorCache cache(options.mirrorRoot);
    GitFetchOptions fetchOptions;
    fetchOptions.credentials = &credentials;
    fetchOptions.lockTimeout = options.lockTimeout;
    fetchOptions.log = options.log;
    CachedCheckoutResult checkout;
    auto [update, resolved] = cache.update(
        context.url, context.ref, fetchOptions, [&](const MirrorUpdate& mirror, const ResolvedRef& at) {
          checkout =
              checkoutThroughCache(cache, mirror.path, context.url, at.commit, destination, fetchOptions);
        });
    if (options.log)
      options.log("git: checkout " + describe(checkout.mode) + ": " + std::to_string(checkout.filesWritten) +
                  " files written, " + std::to_string(checkout.filesLinked) + " linked, in " +
                  std::to_string(checkout.seconds).substr(0, 5) + " s");
    fetched.commit = resolved.commit;
    fetched.branch = resolved.branch;
    fetched.tag = resolved.tag;
    fetched.stats = update.stats;
    if (options.log)
      options.log("context: " + context.display() + " checked out at " + resolved.commit +
                  (resolved.branch.empty() ? "" : " (branch " + resolved.branch + ")") +
                  (resolved.tag.empty() ? "" : " (tag " + resolved.tag + ")"));
  }
  fetched.contextDir = context.subdir.empty() ? destination : destination / context.subdir;
  if (!fs::is_directory(fetched.contextDir))
    throw std::runtime_error("context " + context.display() + ": folder '" + context.subdir +
                             "' does not exist in the fetched tree");
  return fetched;
}

}  // namespace hangar::runner
