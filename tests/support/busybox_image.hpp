#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/command.hpp"

namespace hangar::test {

/// What goes into a small image built FROM scratch around busybox-static: /bin/busybox with its applet
/// links in /bin, /sbin, /usr/bin and /usr/sbin, a PATH, extra files, and the ENTRYPOINT/CMD.
struct BusyboxImageSpec {
  std::string name;                          ///< short name for the local tag, [a-z0-9-]+, e.g. "hello-world"
  std::vector<std::string> entrypoint;       ///< exec form; empty: none
  std::vector<std::string> cmd;              ///< exec form; empty: none
  std::map<std::string, std::string> files;  ///< absolute path in the image -> content, installed mode 0755
  std::vector<std::string> env;              ///< extra "K=V" ENV lines
  std::string workdir;                       ///< WORKDIR; empty: none
};

/// The buildah command prefix every helper uses: `buildah --storage-driver vfs`.
std::vector<std::string> buildah_command();

/// The host's busybox (/bin/busybox); throws std::runtime_error unless it is a statically linked ELF
/// (the busybox-static package), since a dynamic one cannot run in a FROM scratch image.
std::filesystem::path static_busybox();

/// True when `file` is an ELF executable without a program interpreter (no dynamic loader needed);
/// throws std::runtime_error when it is not a 64-bit ELF file.
bool is_statically_linked(const std::filesystem::path& file);

/// The Dockerfile text generated for `spec` (its build context holds `busybox` and `rootfs/`).
std::string busybox_dockerfile(const BusyboxImageSpec& spec);

/// Builds `spec` with `buildah build --isolation chroot` in a temporary context and returns the local
/// reference `localhost/hangar-test/NAME:HASH`, HASH covering the spec and the busybox binary. Skips the
/// build when `buildah inspect` finds that image already. Throws with buildah's output on failure.
std::string build_busybox_image(const BusyboxImageSpec& spec);

/// Pushes a local image to `destination` ("127.0.0.1:PORT/repo:tag"), over plain HTTP
/// (--tls-verify=false, meant for loopback registries); returns the pushed manifest digest.
std::string push_image(const std::string& local_reference, const std::string& destination);

/// build_busybox_image then push_image; returns the digest.
std::string build_and_push_busybox_image(const BusyboxImageSpec& spec, const std::string& destination);

/// Removes every local image name that starts with `prefix` (e.g. "127.0.0.1:PORT/"), so tests do not
/// leave tags of their short-lived registries in buildah's storage; the images themselves stay, named
/// localhost/hangar-test/kept:ID, since another test may be building the same image at that moment.
/// Returns how many names were removed.
int remove_local_images(const std::string& prefix);

/// Runs `argv` in a throw-away container of a local image (`buildah from`, `buildah run --isolation chroot`,
/// `buildah rm`). The image's ENTRYPOINT and CMD are not applied, as with `buildah run`.
CommandResult run_in_image(const std::string& local_reference, const std::vector<std::string>& argv);

}  // namespace hangar::test
