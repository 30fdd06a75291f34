#!/usr/bin/env bash
# Hangar in one command: installs what is missing, builds `hangar`, starts a local registry on
# 127.0.0.1 (Debian's docker-registry), and runs examples/hello/acr-task.yaml with buildah:
# build -> push -> run the pushed image. It prints the run summary and the registry's tags, and
# leaves the registry running (the last line tells how to stop it). Needs root, as buildah does here.
#
# Environment: HANGAR_DEMO_DIR (state, default /tmp/hangar-demo), HANGAR_BUILD_DIR (default ./build),
# HANGAR_JOBS (build jobs, default: all cores).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
demo=${HANGAR_DEMO_DIR:-/tmp/hangar-demo}
build_dir=${HANGAR_BUILD_DIR:-$root/build}
jobs=${HANGAR_JOBS:-$(nproc)}

say() { printf '\n== %s\n' "$*"; }

say "Installing missing packages"
"$root/scripts/install-deps.sh"

say "Building hangar"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" --target hangar -j "$jobs"
hangar="$build_dir/agent/hangar"
"$hangar" --version

# The registry: reuse the one a previous demo left running, else start one on 5000 or the next free port.
mkdir -p "$demo/registry"
registry_running() {
  [[ -f "$demo/registry.pid" && -f "$demo/registry.port" ]] || return 1
  local pid
  pid=$(<"$demo/registry.pid")
  [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == */docker-registry ]] || return 1
  curl -fsS --noproxy '*' -o /dev/null "http://127.0.0.1:$(<"$demo/registry.port")/v2/"
}
alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [[ "$state" != Z ]]
}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
start_registry() {
  local port=$1
  cat >"$demo/registry.yml" <<YAML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $demo/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: hangar-demo
YAML
  setsid /usr/bin/docker-registry serve "$demo/registry.yml" >"$demo/registry.log" 2>&1 </dev/null &
  local pid=$!
  for _ in $(seq 100); do
    if ! alive "$pid"; then
      wait "$pid" || true
      grep -q "address already in use" "$demo/registry.log" && return 1  # taken meanwhile: next port
      echo "demo: the registry exited at start; its log:" >&2
      cat "$demo/registry.log" >&2
      exit 1
    fi
    if grep -q "listening on 127.0.0.1:$port" "$demo/registry.log" &&
      curl -fsS --noproxy '*' -o /dev/null "http://127.0.0.1:$port/v2/"; then
      echo "$pid" >"$demo/registry.pid"
      echo "$port" >"$demo/registry.port"
      return 0
    fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  echo "demo: the registry did not come up; its log:" >&2
  cat "$demo/registry.log" >&2
  exit 1
}

say "Starting a local registry"
if registry_running; then
  echo "reusing the registry from a previous demo"
else
  started=false
  for port in $(seq 5000 5099); do
    if ! port_in_use "$port" && start_registry "$port"; then
      started=true
      break
    fi
  done
  if ! $started; then
    echo "demo: no free port in 127.0.0.1:5000-5099 for the registry" >&2
    exit 1
  fi
fi
registry="127.0.0.1:$(<"$demo/registry.port")"
echo "registry $registry (pid $(<"$demo/registry.pid"), data in $demo/registry)"

# The build context: the example, plus the host's static busybox that its Dockerfile copies in.
say "Running examples/hello/acr-task.yaml"
rm -rf "$demo/context"
mkdir -p "$demo/context" "$demo/state"
cp -R "$root/examples/hello/." "$demo/context/"
cp /bin/busybox "$demo/context/busybox"
status=0
"$hangar" run-once -f "$demo/context/acr-task.yaml" --registry "$registry" --state-dir "$demo/state" \
  "$demo/context" || status=$?

say "Tags in the registry"
curl -fsS --noproxy '*' "http://$registry/v2/hello/tags/list" || true
echo

say "Done (hangar exited with $status)"
echo "The registry keeps running at $registry; its data is in $demo/registry."
echo "Stop it with: kill $(<"$demo/registry.pid")"
exit "$status"
