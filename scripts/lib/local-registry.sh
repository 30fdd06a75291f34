# shellcheck shell=bash
# shellcheck disable=SC2034 # REGISTRY_PORT and REGISTRY_PID are for the caller
# start_local_registry DIR [FIRST_PORT]: starts Debian's docker-registry on 127.0.0.1, at FIRST_PORT
# (default 5000) or the next free port up to FIRST_PORT+99, storing data in DIR/registry and its log in
# DIR/registry.log. It runs in its own session, so it outlives the calling script. Sets REGISTRY_PORT
# and REGISTRY_PID, and writes them to DIR/registry.port and DIR/registry.pid. Returns 1 on failure.
#
# local_registry_running DIR: true when the registry recorded in DIR is still running and answering;
# then sets REGISTRY_PORT and REGISTRY_PID.

_registry_alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [[ "$state" != Z ]]
}

_registry_answers() { curl -fsS --noproxy '*' -o /dev/null --max-time 2 "http://127.0.0.1:$1/v2/" 2>/dev/null; }

local_registry_running() {
  local dir=$1 pid port
  [[ -f "$dir/registry.pid" && -f "$dir/registry.port" ]] || return 1
  pid=$(<"$dir/registry.pid")
  port=$(<"$dir/registry.port")
  [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == */docker-registry ]] || return 1
  _registry_answers "$port" || return 1
  REGISTRY_PID=$pid
  REGISTRY_PORT=$port
}

# Starts one registry on $2; returns 2 when the port was taken, 1 on any other failure.
_start_registry_on() {
  local dir=$1 port=$2 pid
  mkdir -p "$dir/registry"
  cat >"$dir/registry.yml" <<YAML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $dir/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: hangar-local-registry
YAML
  setsid /usr/bin/docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 </dev/null &
  pid=$!
  for _ in $(seq 200); do
    if ! _registry_alive "$pid"; then
      wait "$pid" || true
      grep -q "address already in use" "$dir/registry.log" && return 2
      echo "docker-registry exited at start; its log ($dir/registry.log):" >&2
      cat "$dir/registry.log" >&2
      return 1
    fi
    if grep -q "listening on 127.0.0.1:$port" "$dir/registry.log" && _registry_answers "$port"; then
      echo "$pid" >"$dir/registry.pid"
      echo "$port" >"$dir/registry.port"
      REGISTRY_PID=$pid
      REGISTRY_PORT=$port
      return 0
    fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  echo "docker-registry did not answer within 20 s; its log ($dir/registry.log):" >&2
  cat "$dir/registry.log" >&2
  return 1
}

start_local_registry() {
  local dir=$1 first=${2:-5000} port status
  for ((port = first; port < first + 100; port++)); do
    # Something answering a TCP connect already owns the port.
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue
    fi
    status=0
    _start_registry_on "$dir" "$port" || status=$?
    case $status in
      0) return 0 ;;
      2) continue ;;
      *) return 1 ;;
    esac
  done
  echo "no free port in 127.0.0.1:$first-$((first + 99)) for the registry" >&2
  return 1
}
