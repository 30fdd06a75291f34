#!/usr/bin/env bash
# Runs every libFuzzer target of fuzz/ for SECONDS each (default 30), two at a time, and fails when any
# finds a crash, a leak, a timeout or an out-of-memory. Builds the targets first (the asan preset, in
# HANGAR_BUILD_DIR) when they are missing or out of date. See docs/fuzzing.md.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (TARGET: e.g. cron_expression; default all)
# Environment: HANGAR_BUILD_DIR (default ./build-asan), HANGAR_FUZZ_JOBS (targets at once, default 2),
# HANGAR_JOBS (build jobs, default all cores), HANGAR_FUZZ_BUILD=0 (use the binaries as built, no build step).
# Inputs that crash are left in BUILD/fuzz/artifacts/TARGET/; new corpus entries in BUILD/fuzz/work/TARGET/.
# Keep a crash input as a regression test: fix the bug, then copy the file to fuzz/regressions/TARGET/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-30}
shift || true
build_dir=${HANGAR_BUILD_DIR:-build-asan}
parallel=${HANGAR_FUZZ_JOBS:-2}
jobs=${HANGAR_JOBS:-$(nproc)}

if (($# > 0)); then
  targets=("$@")
else
  mapfile -t targets < <(find fuzz -maxdepth 1 -name '*_fuzzer.cpp' -printf '%f\n' | sed 's/_fuzzer\.cpp$//' | sort)
fi

if [[ ${HANGAR_FUZZ_BUILD:-1} != 0 ]]; then
  if [[ ! -f $build_dir/CMakeCache.txt ]]; then
    cmake --preset asan -B "$build_dir" >/dev/null
  fi
  cmake --build "$build_dir" -j "$jobs" --target "${targets[@]/%/_fuzzer}"
fi

# Bounds: inputs up to max_len bytes (task files get more room), 2 GB of memory, 10 s per input.
max_len() {
  case $1 in
    task | agent_config | go_template | dockerfile_dependencies) echo 16384 ;;
    *) echo 4096 ;;
  esac
}

out=$build_dir/fuzz
rm -rf "$out/logs"
mkdir -p "$out/logs"
run_one() {
  local target=$1
  local work=$out/work/$target artifacts=$out/artifacts/$target/ inputs=()
  mkdir -p "$work" "$artifacts"
  for dir in "fuzz/corpus/$target" "fuzz/regressions/$target"; do
    [[ -d $dir ]] && inputs+=("$dir")
  done
  local status=0
  # The first corpus directory receives new inputs: the build dir's, never the source tree's.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan-suppressions.txt} \
    "$build_dir/fuzz/${target}_fuzzer" -max_total_time="$seconds" -max_len="$(max_len "$target")" \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "$work" "${inputs[@]}" >"$out/logs/$target.log" 2>&1 || status=$?
  echo "$status" >"$out/logs/$target.status"
}

running=0
for target in "${targets[@]}"; do
  run_one "$target" &
  running=$((running + 1))
  if ((running >= parallel)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

status=0
printf '%-26s %12s %10s  %s\n' target executions exec/s result
for target in "${targets[@]}"; do
  log=$out/logs/$target.log
  rc=$(cat "$out/logs/$target.status" 2>/dev/null || echo 1)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [[ $rc == 0 ]]; then
    result=ok
  else
    result="FAILED (exit $rc; log $log)"
    status=1
  fi
  printf '%-26s %12s %10s  %s\n' "$target" "${runs:-?}" "${speed:-?}" "$result"
done
if ((status != 0)); then
  for target in "${targets[@]}"; do
    if [[ $(cat "$out/logs/$target.status" 2>/dev/null || echo 1) != 0 ]]; then
      echo "---- $target ----" >&2
      grep -E -A40 '^==[0-9]+==ERROR|runtime error|deadly signal|ERROR: libFuzzer' "$out/logs/$target.log" | head -60 >&2 || tail -40 "$out/logs/$target.log" >&2
      ls "$out/artifacts/$target" >&2
    fi
  done
  echo "fuzz.sh: a target failed; the input is in $out/artifacts/TARGET/ (fix, then keep it in fuzz/regressions/TARGET/)" >&2
fi
exit "$status"
