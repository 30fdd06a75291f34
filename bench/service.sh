#!/usr/bin/env bash
# The service's footprint and dispatch speed (issue 6). Starts the real `hangar run` on a temporary state
# directory with 20 tasks, each with a cron timer that does not fire during the bench, then measures:
#   1. idle RSS and CPU over IDLE seconds (default 60)          targets: <= 15 MB, <= 0.1 % of one CPU
#   2. dispatch latency: `hangar enqueue` to the first step's "Executing step" line in the run log,
#      N runs of a one-command task (default 20), median      target: <= 100 ms
#   3. a step printing 1 GB of log: the service's peak RSS     target: <= 64 MB
# Prints each figure against its target and the machine's load. Needs root, buildah and busybox-static.
# Build Hangar in Release first (a separate build dir):
#   cmake -S . -B build-servicerel -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build-servicerel --target hangar
#   HANGAR_BINARY=build-servicerel/agent/hangar bench/service.sh [IDLE_SECONDS] [N] [LOG_BYTES]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
idle=${1:-60}
runs=${2:-20}
log_bytes_wanted=${3:-1000000000}
hangar=${HANGAR_BINARY:-$root/build-servicerel/agent/hangar}
[[ -x "$hangar" ]] || { echo "service.sh: no hangar binary at $hangar (build it in Release first)" >&2; exit 2; }

work=$(mktemp -d /tmp/hangar-bench-service-XXXXXX)
image=localhost/hangar-bench/busybox:$$
service_pid=
cleanup() {
  [[ -n "$service_pid" ]] && kill -TERM "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null || true
  buildah --storage-driver vfs rmi "$image" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# A FROM scratch image around the static busybox: the cheapest container a step can run.
mkdir -p "$work/image"
cp /bin/busybox "$work/image/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\n' >"$work/image/Dockerfile"
buildah --storage-driver vfs bud -q -t "$image" "$work/image" >/dev/null

config=$work/agent.yaml
{
  echo "stateDir: $work/state"
  echo "slots: 2"
  echo "engine: {kind: buildah, storageDriver: vfs}"
  echo "logRetention: {days: 30, maxSizeMB: 4096}"
  echo "tasks:"
  for i in $(seq 1 20); do
    echo "  - name: idle-$i"
    echo "    cmd: $image /bin/busybox true"
    echo "    timers:"
    echo "      - {name: nightly, schedule: \"$((i % 60)) $(( ($(date -u +%H) + 12) % 24 )) * * *\"}"
  done
  echo "  - name: cheap"
  echo "    cmd: $image /bin/busybox true"
  echo "  - name: loud"
  echo "    cmd: $image /bin/busybox sh -c 'yes 0123456789012345678901234567890123456789012345678901234567890123456789012345678 | /bin/busybox head -c $log_bytes_wanted'"
  echo "    timeout: 3600"
} >"$config"

"$hangar" run --config "$config" 2>"$work/service.log" &
service_pid=$!
for _ in $(seq 1 300); do grep -q "service ready" "$work/service.log" && break; sleep 0.1; done
grep -q "service ready" "$work/service.log" || { cat "$work/service.log" >&2; exit 1; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$service_pid/status"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$service_pid/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$service_pid/stat"; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t ? "PASS" : "FAIL") }'; }

echo "machine: $(nproc) CPUs, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
sleep 2  # let start-up settle (recovery, first retention pass) before the idle window
ticks0=$(cpu_ticks)
start=$(date +%s.%N)
sleep "$idle"
ticks1=$(cpu_ticks)
end=$(date +%s.%N)
hz=$(getconf CLK_TCK)
idle_rss_mb=$(awk -v k="$(rss_kb)" 'BEGIN { printf "%.1f", k / 1024 }')
idle_cpu=$(awk -v a="$ticks0" -v b="$ticks1" -v hz="$hz" -v s="$start" -v e="$end" \
  'BEGIN { printf "%.3f", 100 * (b - a) / hz / (e - s) }')
echo "idle RSS: $idle_rss_mb MB (target <= 15 MB) $(verdict "$idle_rss_mb" 15)"
echo "  of which: $(awk '/^RssAnon:|^RssFile:/ { printf "%s %.1f MB  ", $1, $2 / 1024 }' "/proc/$service_pid/status")(file = mapped binary and shared libraries), threads: $(awk '/^Threads:/ { print $2 }' "/proc/$service_pid/status")"
echo "  proportional (PSS, shared pages divided among their users): $(awk '/^Pss:/ { printf "%.1f MB", $2 / 1024 }' "/proc/$service_pid/smaps_rollup")"
echo "idle CPU over ${idle}s: $idle_cpu % (target <= 0.1 %) $(verdict "$idle_cpu" 0.1)"

# Dispatch latency: enqueue -> the first step's header in the run log (polled every millisecond).
latencies=$(python3 - "$hangar" "$config" "$work/state/logs" "$runs" <<'PY'
import os, subprocess, sys, time
hangar, config, logs, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
for _ in range(runs):
    start = time.monotonic()
    run_id = subprocess.run([hangar, "enqueue", "--task", "cheap", "--config", config], check=True,
                            capture_output=True, text=True).stdout.strip()
    log = os.path.join(logs, run_id + ".log")
    while True:
        try:
            with open(log, "rb") as f:
                text = f.read()
        except FileNotFoundError:
            text = b""
        if b"Executing step" in text:
            print("%.1f" % ((time.monotonic() - start) * 1000))
            break
        if time.monotonic() - start > 120:
            sys.exit("run %s did not start within 120 s" % run_id)
        time.sleep(0.001)
    while b"Run ID:" not in open(log, "rb").read():  # let it end before the next one
        time.sleep(0.01)
PY
)
median=$(echo "$latencies" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }')
echo "dispatch latency (ms, $runs runs): $(echo $latencies | tr '\n' ' ')"
echo "dispatch latency median: $median ms (target <= 100 ms) $(verdict "$median" 100)"
sleep 5  # idle again: what the runs left resident (their code paths, the allocator's pools)
echo "idle RSS after those $runs runs: $(awk -v k="$(rss_kb)" 'BEGIN { printf "%.1f", k / 1024 }') MB ($(awk '/^RssAnon:|^RssFile:/ { printf "%s %.1f MB  ", $1, $2 / 1024 }' "/proc/$service_pid/status"))"

# 1 GB of log from one step.
loud=$("$hangar" enqueue --task loud --config "$config")
begin=$(date +%s.%N)
until "$hangar" runs --config "$config" --output json --top 1 | grep -q '"status": *"\(Succeeded\|Failed\|Error\|Timeout\)"'; do
  sleep 1
done
done_at=$(date +%s.%N)
log_bytes=$(stat -c %s "$work/state/logs/$loud.log")
peak_mb=$(awk -v k="$(hwm_kb)" 'BEGIN { printf "%.1f", k / 1024 }')
status=$("$hangar" runs --config "$config" --output json --top 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["status"])')
echo "1 GB log step: run $loud $status, log $log_bytes bytes in $(awk -v a="$begin" -v b="$done_at" 'BEGIN { printf "%.1f", b - a }') s"
echo "service peak RSS (VmHWM) over the whole bench: $peak_mb MB (target <= 64 MB) $(verdict "$peak_mb" 64)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
