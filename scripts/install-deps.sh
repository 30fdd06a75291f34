#!/usr/bin/env bash
# Installs the Debian 12 packages that Hangar needs to build, test and run, when any is missing.
# Idempotent and quiet; runs `apt-get update` only when something has to be installed. Needs root
# (or sudo) only then. Works without a terminal (CI): DEBIAN_FRONTEND=noninteractive, stdin unused.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git clang-format
  # the sanitizer build and the fuzzers (scripts/test.sh, scripts/fuzz.sh): clang with its ASan, UBSan
  # and libFuzzer runtimes, and llvm-symbolizer (package llvm) for readable sanitizer stack traces
  clang llvm libclang-rt-14-dev
  # libraries
  libgit2-dev libyaml-cpp-dev libboost-dev libboost-regex-dev libboost-filesystem-dev libspdlog-dev
  libcurl4-openssl-dev nlohmann-json3-dev libcli11-dev libsqlite3-dev libssl-dev libarchive-dev
  libcpp-httplib-dev libsystemd-dev
  # tests (openssh-server: runner/git_ssh_test.cpp clones over a real sshd on 127.0.0.1)
  googletest libgtest-dev libgmock-dev openssh-server
  # containers, the local registry, and the busybox that test images are built from
  buildah podman docker-registry busybox-static curl
  # benchmarks (bench/purge.sh compares hangar purge with a loop of skopeo delete)
  skopeo bc
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
as_root=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null; then
    as_root=(sudo)
  else
    echo "install-deps: run as root to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null >/dev/null
