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
cmake -S "$root" -B "$build_dir" -G Ninja >/dev/null  # Release unless the build dir says otherwise
cmake --build "$build_dir" --target hangar -j "$jobs"
hangar="$build_dir/agent/hangar"
"$hangar" --version

# The registry: reuse the one a previous demo left running, else start one on 5000 or the next free port.
# shellcheck source=SCRIPTDIR/lib/local-registry.sh
source "$root/scripts/lib/local-registry.sh"
say "Starting a local registry"
if local_registry_running "$demo"; then
  echo "reusing the registry from a previous demo"
else
  start_local_registry "$demo" 5000
fi
registry="127.0.0.1:$REGISTRY_PORT"
echo "registry $registry (pid $REGISTRY_PID, data in $demo/registry)"

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
echo "Stop it with: kill $REGISTRY_PID"
exit "$status"
