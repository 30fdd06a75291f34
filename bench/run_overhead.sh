#!/usr/bin/env bash
# How much does Hangar add to the buildah commands it runs? Runs examples/hello/acr-task.yaml with
# `hangar run-once` and the same buildah commands by hand (hello_by_hand.sh), alternately, N times each
# (default 5) after one untimed warm-up of each, against its own local registry. Prints every time and the
# ratio of the medians, hangar / by hand (target: <= 1.05). Needs root, buildah and docker-registry.
#
#   bench/run_overhead.sh [N]
# Environment: HANGAR_BINARY (default ./build/agent/hangar).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-5}
hangar=${HANGAR_BINARY:-$root/build/agent/hangar}
target=1.05

if [[ ! -x "$hangar" ]]; then
  echo "run_overhead: no hangar binary at $hangar; build it first (./scripts/test.sh, or cmake)" >&2
  exit 2
fi

work=$(mktemp -d /tmp/hangar-bench-XXXXXX)
registry_pid=
cleanup() {
  if [[ -n "$registry_pid" ]]; then
    kill "$registry_pid" 2>/dev/null || true
  fi
  # The images both sides tagged under this registry: not worth keeping.
  if [[ -n "${registry:-}" ]]; then
    mapfile -t images < <(buildah --storage-driver vfs images --format '{{.Name}}:{{.Tag}}' | grep "^$registry/" || true)
    if ((${#images[@]} > 0)); then
      buildah --storage-driver vfs rmi "${images[@]}" >/dev/null 2>&1 || true
    fi
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=SCRIPTDIR/../scripts/lib/local-registry.sh
source "$root/scripts/lib/local-registry.sh"
start_local_registry "$work" 15000
registry_pid=$REGISTRY_PID
registry="127.0.0.1:$REGISTRY_PORT"

context="$work/context"
mkdir -p "$context" "$work/state"
cp -R "$root/examples/hello/." "$context/"
cp /bin/busybox "$context/busybox"

now() { date +%s.%N; }
# time_it LOG COMMAND...: runs the command with its output in LOG, prints the seconds it took.
time_it() {
  local log=$1 start end
  shift
  start=$(now)
  if ! "$@" >"$log" 2>&1; then
    echo "run_overhead: failed: $*" >&2
    cat "$log" >&2
    exit 1
  fi
  end=$(now)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", e - s }'
}
run_hangar() {
  "$hangar" run-once -f "$context/acr-task.yaml" --registry "$registry" --state-dir "$work/state" "$context"
}
run_by_hand() { "$root/bench/hello_by_hand.sh" "$registry" "$1" "$context"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "registry $registry, $runs runs each, alternating (after one warm-up each)"
time_it "$work/warmup-hangar.log" run_hangar >/dev/null
time_it "$work/warmup-hand.log" run_by_hand warmup >/dev/null

hangar_times=()
hand_times=()
printf '%-4s %10s %10s\n' run hangar by-hand
for ((i = 1; i <= runs; i++)); do
  h=$(time_it "$work/hangar-$i.log" run_hangar)
  b=$(time_it "$work/hand-$i.log" run_by_hand "bench$i")
  hangar_times+=("$h")
  hand_times+=("$b")
  printf '%-4s %9ss %9ss\n' "$i" "$h" "$b"
done

hangar_median=$(printf '%s\n' "${hangar_times[@]}" | median)
hand_median=$(printf '%s\n' "${hand_times[@]}" | median)
ratio=$(awk -v h="$hangar_median" -v b="$hand_median" 'BEGIN { printf "%.3f", h / b }')
printf 'median %9ss %9ss\n' "$hangar_median" "$hand_median"
if awk -v r="$ratio" -v t="$target" 'BEGIN { exit !(r <= t) }'; then
  echo "ratio hangar/by-hand: $ratio (target <= $target: met)"
else
  echo "ratio hangar/by-hand: $ratio (target <= $target: NOT met)"
fi
