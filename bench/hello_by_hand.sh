#!/usr/bin/env bash
# The baseline of run_overhead.sh: the buildah commands of examples/hello/acr-task.yaml, typed by hand.
#   hello_by_hand.sh REGISTRY TAG CONTEXT
set -euo pipefail
registry=$1 tag=$2 context=$3
buildah=(buildah --storage-driver vfs)
image="$registry/hello:$tag"
digest_file=$(mktemp)
trap 'rm -f "$digest_file"' EXIT

# build
"${buildah[@]}" build --isolation chroot --layers --pull=missing -t "$image" "$context"
# push
"${buildah[@]}" push --tls-verify=false --digestfile "$digest_file" "$image" "docker://$image"
# cmd: $Registry/hello:$ID (the image's CMD is /bin/greet)
container=$("${buildah[@]}" from --pull=missing --quiet "$image")
"${buildah[@]}" run --isolation chroot "$container" -- /bin/greet
"${buildah[@]}" rm "$container" >/dev/null
