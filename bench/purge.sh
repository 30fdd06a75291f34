#!/usr/bin/env bash
# bench/purge.sh: `hangar purge` vs a shell loop of `skopeo delete` doing the same deletions.
# TAGS tags (default 5,000) across REPOS repositories (5) on a local docker-registry; OLD of them (4,000)
# are older than the cutoff. Each side gets a freshly generated registry with identical content; the
# time of the deletions alone is measured. Prints both times and the ratio (target >= 5x).
# Usage: sudo bench/purge.sh            (TAGS=500 OLD=400 bench/purge.sh for a quick run)
# Needs docker-registry, skopeo, python3; HANGAR_BINARY=PATH to measure another build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hangar=${HANGAR_BINARY:-$here/../build/agent/hangar}
tags=${TAGS:-5000}
old=${OLD:-4000}
repos=${REPOS:-5}
work=$(mktemp -d /tmp/hangar-bench-purge.XXXXXX)
registry_pid=""
cleanup() { [[ -n $registry_pid ]] && kill "$registry_pid" 2>/dev/null && wait "$registry_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

start_registry() {  # fresh storage, a free port; sets port and registry_pid
  rm -rf "$work/storage"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat >"$work/config.yml" <<YAML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/storage}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$port, secret: bench}
YAML
  docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 200); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && return; sleep 0.05; done
  echo "registry did not start" >&2; cat "$work/registry.log" >&2; exit 1
}
stop_registry() { kill "$registry_pid"; wait "$registry_pid" 2>/dev/null || true; registry_pid=""; }
now() { date +%s.%N; }

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "generating $tags tags in $repos repositories ($old old) ..."
start_registry
t0=$(now); python3 "$here/purge_generate.py" "127.0.0.1:$port" "$repos" "$tags" "$old" "$work/old.txt"
echo "generated in $(echo "$(now) - $t0" | bc) s"
t0=$(now)
"$hangar" purge --registry "127.0.0.1:$port" --filter 'bench.*:.*' --ago 30d --concurrency 8 >"$work/hangar.out"
hangar_s=$(echo "$(now) - $t0" | bc)
deleted=$(grep -c '^Deleted ' "$work/hangar.out" || true)
left=0; for r in $(seq 0 $((repos - 1))); do
  n=$(curl -fsS "http://127.0.0.1:$port/v2/bench$r/tags/list?n=100000" | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("tags") or []))')
  left=$((left + n)); done
echo "hangar purge: deleted $deleted tags in $hangar_s s; $left tags left"
stop_registry

start_registry
python3 "$here/purge_generate.py" "127.0.0.1:$port" "$repos" "$tags" "$old" "$work/old.txt"
t0=$(now)
while read -r ref; do
  skopeo delete --tls-verify=false "docker://127.0.0.1:$port/$ref"
done <"$work/old.txt"
skopeo_s=$(echo "$(now) - $t0" | bc)
echo "skopeo delete loop: deleted $(wc -l <"$work/old.txt") tags in $skopeo_s s"
stop_registry
echo "ratio (skopeo / hangar): $(echo "scale=1; $skopeo_s / $hangar_s" | bc)x"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
