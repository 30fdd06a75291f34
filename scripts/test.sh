#!/usr/bin/env bash
# CI runs this (.ci/run). Installs what is missing, builds ONE tree with the asan preset (clang 14,
# ASan+UBSan+LSan, the libFuzzer targets), runs the whole unit, integration, hostile and conformance suite
# under the sanitizers with ctest (a leak, an out-of-bounds access or undefined behaviour aborts the process
# and fails its test, also in the `hangar` binaries the integration tests start; the fuzz_* tests replay
# every corpus and regression input; third-party leaks that are not Hangar's are suppressed by
# scripts/lsan-suppressions.txt), fuzzes every target briefly (scripts/fuzz.sh), then checks that the C++
# sources are clang-formatted. Exits non-zero when anything fails; prints how long each phase took.
# HANGAR_PRESET=release builds the gcc Release tree instead (what benchmarks and packages use) and runs
# the same suite there, without fuzzing.
#
# Environment: HANGAR_PRESET (default asan; release as above), HANGAR_BUILD_DIR (default: the preset's,
# ./build-asan or ./build), HANGAR_JOBS (default: all cores),
# HANGAR_TEST_TIMEOUT (seconds per test, default 600), CTEST_ARGS (extra ctest arguments, e.g. "-L config"),
# HANGAR_FUZZ_SECONDS (seconds per fuzz target, default 10; 0 skips fuzzing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

preset=${HANGAR_PRESET:-asan}
if [[ $preset == asan ]]; then default_dir=build-asan; else default_dir=build; fi
build_dir=${HANGAR_BUILD_DIR:-$default_dir}
jobs=${HANGAR_JOBS:-$(nproc)}
timeout=${HANGAR_TEST_TIMEOUT:-600}
fuzz_seconds=${HANGAR_FUZZ_SECONDS:-10}
export HANGAR_BUILD_DIR=$build_dir HANGAR_JOBS=$jobs

elapsed() { echo "test.sh: $1 took $(($(date +%s) - $2)) s"; }

all=$(date +%s)
./scripts/install-deps.sh
start=$(date +%s)
if [[ ! -f $build_dir/CMakeCache.txt ]]; then
  cmake --preset "$preset" -B "$build_dir" >/dev/null
fi
cmake --build "$build_dir" -j "$jobs"
elapsed build "$start"

status=0
start=$(date +%s)
# Sanitizer findings abort the process (exit status non-zero), so a leak fails its test.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Leaks in third-party libraries that are not Hangar's (each explained in the file).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan-suppressions.txt}
# shellcheck disable=SC2086 # CTEST_ARGS is a list of arguments
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" --timeout "$timeout" ${CTEST_ARGS:-} || status=$?
elapsed ctest "$start"

if [[ $preset == asan ]] && ((fuzz_seconds > 0)); then
  start=$(date +%s)
  HANGAR_FUZZ_BUILD=0 ./scripts/fuzz.sh "$fuzz_seconds" || status=1  # built above
  elapsed fuzzing "$start"
fi

mapfile -t sources < <(git ls-files '*.cpp' '*.hpp')
if ((${#sources[@]} > 0)) && ! clang-format --dry-run --Werror "${sources[@]}"; then
  echo "test.sh: some sources are not clang-formatted (run: clang-format -i FILE)" >&2
  status=1
fi
elapsed "everything (install, build, tests, fuzzing, format)" "$all"
exit "$status"
