#!/usr/bin/env bash
# Installs what is missing, builds Hangar, and runs the whole test suite with ctest; then checks that
# the C++ sources are clang-formatted. Exits non-zero when anything fails. CI runs this (.ci/run).
#
# Environment: HANGAR_BUILD_DIR (default ./build), HANGAR_JOBS (default: all cores),
# HANGAR_TEST_TIMEOUT (seconds per test, default 600), CTEST_ARGS (extra ctest arguments, e.g. "-L config").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${HANGAR_BUILD_DIR:-build}
jobs=${HANGAR_JOBS:-$(nproc)}
timeout=${HANGAR_TEST_TIMEOUT:-600}

./scripts/install-deps.sh
cmake -S . -B "$build_dir" -G Ninja >/dev/null  # Release unless the build dir says otherwise
cmake --build "$build_dir" -j "$jobs"

status=0
# shellcheck disable=SC2086 # CTEST_ARGS is a list of arguments
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" --timeout "$timeout" ${CTEST_ARGS:-} || status=$?

mapfile -t sources < <(git ls-files '*.cpp' '*.hpp')
if ((${#sources[@]} > 0)) && ! clang-format --dry-run --Werror "${sources[@]}"; then
  echo "test.sh: some sources are not clang-formatted (run: clang-format -i FILE)" >&2
  status=1
fi
exit "$status"
