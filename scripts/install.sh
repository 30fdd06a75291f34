#!/usr/bin/env bash
# Installs the Hangar service: the `hangar` binary, the systemd unit and an example agent.yaml.
#
#   scripts/install.sh [BUILD_DIR]     (default BUILD_DIR: build; build it first with scripts/test.sh or cmake)
#
# Environment: DESTDIR (stage into a folder, e.g. for a package; systemctl is then not called),
# PREFIX (default /usr/local), SYSCONFDIR (default /etc), UNITDIR (default /etc/systemd/system),
# NO_RELOAD=1 (do not call systemctl daemon-reload).
# An existing /etc/hangar/agent.yaml is never overwritten; the example goes beside it as agent.yaml.example.
# Afterwards: edit /etc/hangar/agent.yaml, `hangar validate --config /etc/hangar/agent.yaml`,
# then `systemctl enable --now hangar`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$here/build}"
destdir="${DESTDIR:-}"
prefix="${PREFIX:-/usr/local}"
sysconfdir="${SYSCONFDIR:-/etc}"
unitdir="${UNITDIR:-/etc/systemd/system}"

binary="$build_dir/agent/hangar"
if [[ ! -x "$binary" ]]; then
  echo "install: $binary not found; build first (cmake --build $build_dir --target hangar)" >&2
  exit 1
fi

install -d -m 0755 "$destdir$prefix/bin" "$destdir$unitdir"
install -d -m 0750 "$destdir$sysconfdir/hangar"
install -m 0755 "$binary" "$destdir$prefix/bin/hangar"
sed "s|/usr/local/bin/hangar|$prefix/bin/hangar|; s|/etc/hangar/agent.yaml|$sysconfdir/hangar/agent.yaml|" \
  "$here/systemd/hangar.service" >"$destdir$unitdir/hangar.service.tmp"
chmod 0644 "$destdir$unitdir/hangar.service.tmp"
mv "$destdir$unitdir/hangar.service.tmp" "$destdir$unitdir/hangar.service"
if [[ -e "$destdir$sysconfdir/hangar/agent.yaml" ]]; then
  install -m 0640 "$here/systemd/agent.yaml" "$destdir$sysconfdir/hangar/agent.yaml.example"
  echo "install: kept the existing $sysconfdir/hangar/agent.yaml (example: agent.yaml.example)"
else
  install -m 0640 "$here/systemd/agent.yaml" "$destdir$sysconfdir/hangar/agent.yaml"
fi

if [[ -z "$destdir" && -z "${NO_RELOAD:-}" ]] && command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  systemctl daemon-reload
fi
echo "install: hangar in $prefix/bin, unit in $unitdir/hangar.service, configuration in $sysconfdir/hangar/"
echo "install: next: edit $sysconfdir/hangar/agent.yaml, run 'hangar validate --config $sysconfdir/hangar/agent.yaml',"
echo "install:       then 'systemctl enable --now hangar'"
