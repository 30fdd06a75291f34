#include "tests/support/busybox_image.hpp"

#include <elf.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "tests/support/command.hpp"
#include "tests/support/temp_dir.hpp"

namespace hangar::test {
namespace {

constexpr const char* kBusybox = "/bin/busybox";
constexpr auto kBuildTimeout = std::chrono::minutes(5);

/// True when the ELF file has a PT_INTERP program header, i.e. needs a dynamic loader.
bool has_interpreter(const std::filesystem::path& file) {
  if (!std::filesystem::is_regular_file(file))
    throw std::runtime_error(file.string() + " is not a regular file");
  std::ifstream in(file, std::ios::binary);
  Elf64_Ehdr header{};
  if (!in.read(reinterpret_cast<char*>(&header), sizeof(header)) ||
      std::string_view(reinterpret_cast<const char*>(header.e_ident), 4) != ELFMAG ||
      header.e_ident[EI_CLASS] != ELFCLASS64) {
    throw std::runtime_error(file.string() + " is not a 64-bit ELF executable");
  }
  for (int i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr program{};
    in.seekg(
        static_cast<std::streamoff>(header.e_phoff + static_cast<std::uint64_t>(i) * header.e_phentsize));
    if (!in.read(reinterpret_cast<char*>(&program), sizeof(program))) {
      throw std::runtime_error(file.string() + ": truncated ELF program headers");
    }
    if (program.p_type == PT_INTERP) return true;
  }
  return false;
}

/// FNV-1a, 64 bits: a stable cache key across processes and runs.
std::string stable_hash(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  std::ostringstream hex;
  hex << std::hex << std::setw(16) << std::setfill('0') << hash;
  return hex.str();
}

std::string busybox_identity(const std::filesystem::path& busybox) {
  struct stat info {};
  if (::stat(busybox.c_str(), &info) != 0) throw std::runtime_error("cannot stat " + busybox.string());
  return std::to_string(info.st_size) + ":" + std::to_string(info.st_mtim.tv_sec) + "." +
         std::to_string(info.st_mtim.tv_nsec);
}

std::vector<std::string> with(std::vector<std::string> command, std::initializer_list<std::string> more) {
  command.insert(command.end(), more);
  return command;
}

}  // namespace

bool is_statically_linked(const std::filesystem::path& file) { return !has_interpreter(file); }

std::vector<std::string> buildah_command() { return {"buildah", "--storage-driver", "vfs"}; }

std::filesystem::path static_busybox() {
  if (!std::filesystem::exists(kBusybox)) {
    throw std::runtime_error(std::string(kBusybox) + " is missing: apt-get install busybox-static");
  }
  if (!is_statically_linked(kBusybox)) {
    throw std::runtime_error(
        std::string(kBusybox) +
        " is dynamically linked and cannot run FROM scratch: apt-get install busybox-static");
  }
  return kBusybox;
}

std::string busybox_dockerfile(const BusyboxImageSpec& spec) {
  std::ostringstream text;
  text << "FROM scratch\n"
          "COPY busybox /bin/busybox\n"
          "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin /tmp "
          "/root && "
          "/bin/busybox --install -s\"]\n"
          "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n";
  if (!spec.files.empty()) text << "COPY rootfs/ /\n";
  for (const auto& entry : spec.env) text << "ENV " << entry << "\n";
  if (!spec.workdir.empty()) text << "WORKDIR " << spec.workdir << "\n";
  if (!spec.entrypoint.empty()) text << "ENTRYPOINT " << nlohmann::json(spec.entrypoint).dump() << "\n";
  if (!spec.cmd.empty()) text << "CMD " << nlohmann::json(spec.cmd).dump() << "\n";
  return text.str();
}

namespace {

// buildah fails now and then for reasons of its own that go away when it runs again: its re-exec cannot
// seal the memfd copy of itself ("sealing memfd copy: ...", runner/transient_engine_failure.hpp), or it
// lists images while another test removes a container ("container not known"). Hangar runs the engine
// again on the first; the tests' own buildah calls do so on both, up to 5 runs in all.
CommandResult run_buildah(const std::vector<std::string>& argv, const CommandOptions& options = {}) {
  for (int attempt = 1;; ++attempt) {
    CommandResult result = run_command(argv, options);
    const bool transient = result.err.find("sealing memfd copy: ") != std::string::npos ||
                           result.err.find("container not known") != std::string::npos;
    if (result.exit_code == 0 || attempt == 5 || !transient) return result;
  }
}

}  // namespace

std::string build_busybox_image(const BusyboxImageSpec& spec) {
  if (spec.name.empty() ||
      spec.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    throw std::invalid_argument("busybox image name must match [a-z0-9-]+: '" + spec.name + "'");
  }
  const auto busybox = static_busybox();
  const std::string dockerfile = busybox_dockerfile(spec);
  std::string key = dockerfile + "\n" + busybox_identity(busybox);
  for (const auto& [path, content] : spec.files) key += "\n" + path + "\n" + content;
  const std::string reference = "localhost/hangar-test/" + spec.name + ":" + stable_hash(key);

  if (run_command(with(buildah_command(), {"inspect", "--type", "image", reference})).exit_code == 0) {
    return reference;
  }

  TempDir context("hangar-image");
  std::filesystem::copy_file(busybox, context.path() / "busybox");
  for (const auto& [path, content] : spec.files) {
    if (path.empty() || path.front() != '/') {
      throw std::invalid_argument("image file path must be absolute: '" + path + "'");
    }
    context.write("rootfs" + path, content,
                  std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                      std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                      std::filesystem::perms::others_exec);
  }
  context.write("Dockerfile", dockerfile);
  CommandOptions options;
  options.timeout = kBuildTimeout;
  const auto build =
      with(buildah_command(), {"build", "--isolation", "chroot", "--quiet", "-t", reference, "-f",
                               (context.path() / "Dockerfile").string(), context.path().string()});
  checked(build, run_buildah(build, options));
  return reference;
}

std::string push_image(const std::string& local_reference, const std::string& destination) {
  TempDir scratch("hangar-push");
  const auto digest_file = scratch.path() / "digest";
  CommandOptions options;
  options.timeout = kBuildTimeout;
  run_checked(with(buildah_command(), {"push", "--tls-verify=false", "--quiet", "--digestfile",
                                       digest_file.string(), local_reference, "docker://" + destination}),
              options);
  std::string digest = read_file(digest_file);
  while (!digest.empty() && (digest.back() == '\n' || digest.back() == ' ')) digest.pop_back();
  return digest;
}

std::string build_and_push_busybox_image(const BusyboxImageSpec& spec, const std::string& destination) {
  return push_image(build_busybox_image(spec), destination);
}

namespace {

// A local image's name and (short) id.
struct LocalImage {
  std::string name;
  std::string id;
};

std::vector<LocalImage> local_images_named(const std::string& prefix) {
  const auto images = with(buildah_command(), {"images", "--format", "{{.Name}}:{{.Tag}} {{.ID}}"});
  const auto listed = checked(images, run_buildah(images));
  std::vector<LocalImage> found;
  std::istringstream lines(listed.out);
  for (std::string line; std::getline(lines, line);) {
    LocalImage image;
    std::istringstream(line) >> image.name >> image.id;
    if (image.name.rfind(prefix, 0) == 0) found.push_back(std::move(image));
  }
  return found;
}

}  // namespace

int remove_local_images(const std::string& prefix) {
  const auto found = local_images_named(prefix);
  // Tests that build the same content make the same image, and a build that hits the cache commits to
  // that image: deleting it under another test fails that test's build (seen on CI runs). So each image
  // first gets a name of its own, localhost/hangar-test/kept:ID, and only the test's names go (buildah rmi
  // of one of several names untags). The kept images are the suite's distinct images, a few MB each.
  std::set<std::string> kept;
  for (const auto& image : found) {
    if (kept.insert(image.id).second)  // fails harmlessly when the image went meanwhile
      run_command(with(buildah_command(), {"tag", image.name, "localhost/hangar-test/kept:" + image.id}));
  }
  // `buildah rmi` can answer "image not known" for a name it just listed while other buildah processes
  // write the shared storage (seen on a CI run): what counts is that none of them is left, so the names
  // still listed are removed again, a few times at most.
  std::vector<std::string> left;
  for (const auto& image : found) left.push_back(image.name);
  for (int attempt = 1; !left.empty(); ++attempt) {
    std::vector<std::string> rmi = with(buildah_command(), {"rmi"});
    rmi.insert(rmi.end(), left.begin(), left.end());
    const auto removed = run_command(rmi);
    if (removed.exit_code == 0) break;
    if (attempt == 5) checked(rmi, removed);  // throws, with buildah's answer
    const auto listed = local_images_named(prefix);
    std::erase_if(left, [&](const std::string& name) {
      return std::none_of(listed.begin(), listed.end(),
                          [&](const LocalImage& image) { return image.name == name; });
    });
  }
  return static_cast<int>(found.size());
}

CommandResult run_in_image(const std::string& local_reference, const std::vector<std::string>& argv) {
  const auto created =
      run_checked(with(buildah_command(), {"from", "--quiet", "--pull-never", local_reference}));
  const std::string container = created.out.substr(0, created.out.find('\n'));
  std::vector<std::string> run = with(buildah_command(), {"run", "--isolation", "chroot", container, "--"});
  run.insert(run.end(), argv.begin(), argv.end());
  CommandResult result;
  try {
    result = run_buildah(run);
  } catch (...) {
    run_command(with(buildah_command(), {"rm", container}));
    throw;
  }
  run_checked(with(buildah_command(), {"rm", container}));
  return result;
}

}  // namespace hangar::test
