#include "runner/workspace.hpp"

#include <fstream>
#include <stdexcept>
#include <system_error>

#include "registry/docker_config.hpp"

namespace hangar::runner {
namespace {

namespace fs = std::filesystem;

std::string safeFileName(std::string_view text) {
  std::string name(text);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  }
  return name;
}

}  // namespace

Workspace::Workspace(const fs::path& workRoot, std::string_view runId) {
  if (runId.empty() || runId == "." || runId == ".." || runId.find('/') != std::string_view::npos ||
      runId.find('\0') != std::string_view::npos) {
    throw std::invalid_argument("invalid run id '" + std::string(runId) + "' for a run directory");
  }
  fs::create_directories(workRoot);
  root_ = fs::absolute(workRoot) / runId;
  std::error_code error;
  if (!fs::create_directory(root_, error)) {
    if (error)
      throw std::runtime_error("cannot create run directory " + root_.string() + ": " + error.message());
    throw std::runtime_error("run directory " + root_.string() + " exists already: another run has the id " +
                             std::string(runId));
  }
  fs::permissions(root_, fs::perms::owner_all);
  fs::create_directory(workspace());
  fs::create_directory(root_ / "digests");
}

Workspace::~Workspace() {
  try {
    remove();
  } catch (const std::exception&) {
    // The caller that wanted to see this error called remove() itself (see the contract).
  }
}

std::vector<std::string> Workspace::copyContext(const fs::path& contextDir) const {
  std::vector<std::string> notes;
  if (contextDir.empty() || contextDir == "/dev/null") return notes;
  try {
    if (!fs::is_directory(contextDir)) {
      throw std::runtime_error("the build context " + contextDir.string() + " is not a directory");
    }
    const fs::path target = workspace();
    // Directories stay writable by their owner, whatever the source says (a read-only checkout),
    // so steps can write to /workspace and remove() can always delete the copy.
    fs::permissions(target, fs::status(contextDir).permissions() | fs::perms::owner_all);
    for (auto it = fs::recursive_directory_iterator(contextDir); it != fs::recursive_directory_iterator();
         ++it) {
      const fs::path& source = it->path();
      const fs::path destination = target / source.lexically_relative(contextDir);
      const auto status = it->symlink_status();
      if (fs::is_symlink(status)) {
        fs::copy_symlink(source, destination);
      } else if (fs::is_directory(status)) {
        fs::create_directory(destination, source);
        fs::permissions(destination, fs::perms::owner_all, fs::perm_options::add);
      } else if (fs::is_regular_file(status)) {
        fs::copy_file(source, destination);
      } else {
        notes.push_back("skipped " + source.string() + ": not a regular file, directory or symlink");
      }
    }
  } catch (const fs::filesystem_error& e) {
    throw std::runtime_error(std::string("cannot copy the build context into the workspace: ") + e.what());
  }
  return notes;
}

void Workspace::writeCredentials(const std::map<std::string, registry::Credential>& credentials) const {
  registry::writeAuthFile(authFile(), credentials);
}

void Workspace::writeRegistriesConf(std::string_view text) const {
  std::ofstream out(registriesConf(), std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + registriesConf().string());
}

fs::path Workspace::digestFile(std::string_view stepId, size_t index) const {
  return root_ / "digests" / (safeFileName(stepId) + "-" + std::to_string(index) + ".digest");
}

void Workspace::remove() {
  if (removed_ || root_.empty()) return;
  for (const fs::path& path :
       {workspace(), authFile(), registriesConf(), root_ / "digests", secretVolumes()}) {
    fs::remove_all(path);
  }
  if (fs::is_empty(root_)) fs::remove(root_);
  removed_ = true;
}

}  // namespace hangar::runner
