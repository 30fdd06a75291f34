#!/usr/bin/env bash
# git_cache benchmark (issue 4): a generated repository (>= 20,000 files, >= 2,000 commits, >= 100 MB) served by
# `git daemon` on 127.0.0.1. Alternates (a) `git clone`, (b) Hangar's first context fetch (fresh mirror cache),
# (c) Hangar's fetch after one new commit (warm mirror). Prints the medians and the ratios a/b and a/c.
# Targets: b within 1.5x of a (a/b >= 0.67); a/c >= 10.
# Usage: bench/git_cache.sh [ROUNDS]    HANGAR_BINARY=path to measure another build.
set -euo pipefail
rounds=${1:-3}
here=$(cd "$(dirname "$0")" && pwd)
hangar=${HANGAR_BINARY:-$here/../build/agent/hangar}
[ -x "$hangar" ] || { echo "no hangar binary at $hangar (set HANGAR_BINARY)" >&2; exit 2; }
files=${BENCH_FILES:-20000} commits=${BENCH_COMMITS:-2000} size=${BENCH_FILE_SIZE:-5500}

work=$(mktemp -d /tmp/hangar-git-cache.XXXXXX)
daemon_pid=
cleanup() { [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# The generated repository is kept (read-only use) in /tmp between invocations: generating it takes minutes.
seed=/tmp/hangar-git-cache-seed-$files-$commits-$size.git
if [ ! -f "$seed/done" ]; then
  echo "generating $files files, $commits commits of ~$size bytes into $seed ..." >&2
  rm -rf "$seed"
  git init -q --bare -b main "$seed"
  python3 "$here/git_cache_generate.py" "$files" "$commits" "$size" | git -C "$seed" fast-import --quiet
  git -C "$seed" repack -adq
  touch "$seed/done"
fi
mkdir -p "$work/served"
git clone -q --bare --no-local "$seed" "$work/served/repo.git"
echo "repository: $(du -sh "$work/served/repo.git" | cut -f1), $(git -C "$work/served/repo.git" rev-list --count main) commits," \
  "$(git -C "$work/served/repo.git" ls-tree -r main | wc -l) files" >&2
git clone -q "$work/served/repo.git" "$work/pusher"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
git daemon --export-all --reuseaddr --listen=127.0.0.1 --port="$port" --base-path="$work/served" "$work/served" &
daemon_pid=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
url="git://127.0.0.1:$port/repo.git"

now() { date +%s.%N; }
# Prints the wall-clock seconds; appends the CPU seconds (user + system, children included) to $cpu_file:
# on a loaded machine the wall clock mostly measures waiting for a core, the CPU time what the work costs.
cpu_file=$work/cpu
timed() {
  local start end
  start=$(now)
  /usr/bin/time -f "%U %S" -o "$cpu_file.one" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  end=$(now)
  awk '{print $1 + $2}' "$cpu_file.one" >> "$cpu_file"
  echo "$end - $start" | bc
}
last_cpu() { tail -1 "$cpu_file"; }
new_commit() {
  echo "$1" > "$work/pusher/change.txt"
  git -C "$work/pusher" add change.txt
  git -C "$work/pusher" -c user.name=b -c user.email=b@b commit -qm "change $1"
  git -C "$work/pusher" push -q origin main
}

echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)" >&2
a=() b=() c=() ca=() cb=() cc=()
for round in $(seq "$rounds"); do
  rm -rf "$work/clone" "$work/state"
  a+=("$(timed git clone -q "$url" "$work/clone")"); ca+=("$(last_cpu)")
  b+=("$(HANGAR_STATE_DIR="$work/state" timed "$hangar" render -f acb.yaml "$url#main")"); cb+=("$(last_cpu)")
  new_commit "$round"
  rm -rf "$work/state/contexts"  # each real run has its own context folder: removing the last one is not timed
  c+=("$(HANGAR_STATE_DIR="$work/state" timed "$hangar" render -f acb.yaml "$url#main")"); cc+=("$(last_cpu)")
  echo "round $round: clone ${a[-1]} s (cpu ${ca[-1]}), first fetch ${b[-1]} s (cpu ${cb[-1]})," \
    "second fetch ${c[-1]} s (cpu ${cc[-1]})" >&2
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
ma=$(median "${a[@]}") mb=$(median "${b[@]}") mc=$(median "${c[@]}")
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
echo "median: (a) git clone $ma s, (b) hangar first fetch $mb s, (c) hangar second fetch $mc s"
echo "a/b = $(echo "scale=2; $ma / $mb" | bc)  (target >= 0.67)   a/c = $(echo "scale=1; $ma / $mc" | bc)  (target >= 10)"
ma=$(median "${ca[@]}") mb=$(median "${cb[@]}") mc=$(median "${cc[@]}")
echo "cpu (user+sys) median: (a) $ma s, (b) $mb s, (c) $mc s;" \
  "a/b = $(echo "scale=2; $ma / $mb" | bc)   a/c = $(echo "scale=1; $ma / $mc" | bc)"
