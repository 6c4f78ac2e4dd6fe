#!/usr/bin/env bash
# Extra Docker engines on this machine that stand in for extra hosts.
#   scripts/nodes.sh up N     start node-2..node-N (idempotent), demo images loaded
#   scripts/nodes.sh down     stop them and remove their state
#   scripts/nodes.sh list     print "name unix://socket" per running node
#   scripts/nodes.sh stop node-N   kill that node's dockerd as a crash would (state kept; `up` brings it back)
# Each node has its own socket, data-root, exec-root, pidfile, bridge and address
# pool; docker0 and the default engine are never touched.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base=${CAPSTAN_NODES_DIR:-/var/lib/capstan-nodes}
run=${CAPSTAN_NODES_RUN:-/run/capstan-nodes}

log() { printf 'nodes: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

sock_of() { echo "$run/$1/docker.sock"; }
answers() { DOCKER_HOST="unix://$(sock_of "$1")" docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

up_one() {
  local i=$1 name="node-$1" br="capn$1" sock
  sock=$(sock_of "$name")
  if answers "$name"; then return 0; fi
  mkdir -p "$base/$name/data" "$run/$name/exec"
  if ! ip link show "$br" >/dev/null 2>&1; then
    ip link add name "$br" type bridge
    ip addr add "10.${i}0.0.1/24" dev "$br"
    ip link set "$br" up
  fi
  # A dockerd that finds a stored default "bridge" network at start-up deletes the host's
  # docker0 link by name, whatever --bridge says; starting without the stored network
  # keeps the default engine's docker0 intact. Capstan recreates namespace networks itself.
  rm -f "$base/$name/data/network/files/local-kv.db"
  nohup dockerd \
    --host "unix://$sock" \
    --data-root "$base/$name/data" \
    --exec-root "$run/$name/exec" \
    --pidfile "$run/$name/docker.pid" \
    --bridge "$br" \
    --default-address-pool "base=10.${i}1.0.0/16,size=24" \
    --iptables=false --ip6tables=false \
    --cgroup-parent "/capstan-$name" \
    --label "capstan.dev/node=$name" \
    >"$base/$name/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    answers "$name" && break
    sleep 0.5
  done
  answers "$name" || { tail -n 20 "$base/$name/dockerd.log" >&2; die "$name did not start (log: $base/$name/dockerd.log)"; }
  log "$name up at unix://$sock"
}

load_images() {
  local name=$1 refs
  refs=$(docker image ls --format '{{.Repository}}:{{.Tag}}' 'capstan-demo/*')
  [ -n "$refs" ] || return 0
  local missing=()
  for r in $refs; do
    DOCKER_HOST="unix://$(sock_of "$name")" docker image inspect "$r" >/dev/null 2>&1 || missing+=("$r")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  # shellcheck disable=SC2068
  docker save ${missing[@]} | DOCKER_HOST="unix://$(sock_of "$name")" docker load -q >/dev/null
}

down_one() {
  local name=$1 pidf="$run/$1/docker.pid" pid
  if [ -f "$pidf" ]; then
    pid=$(cat "$pidf")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  umount -R "$run/$name/exec" 2>/dev/null || true
  rm -rf "$run/$name"
  umount -R "$base/$name/data" 2>/dev/null || true
  rm -rf "$base/$name" 2>/dev/null || log "could not remove $base/$name entirely"
}

case "${1:-}" in
  up)
    n=${2:-3}
    [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 2 ] && [ "$n" -le 9 ] || die "usage: nodes.sh up N (2..9)"
    [ "$(id -u)" = 0 ] || die "starting engines needs root"
    bash "$here/scripts/ensure-docker.sh"
    bash "$here/scripts/build-images.sh"
    for i in $(seq 2 "$n"); do up_one "$i"; load_images "node-$i"; done
    ;;
  down)
    for d in "$run"/node-*; do [ -e "$d" ] && down_one "$(basename "$d")"; done
    for d in "$base"/node-*; do [ -e "$d" ] && down_one "$(basename "$d")"; done
    for l in $(ip -o link show type bridge | awk -F': ' '{print $2}' | grep -E '^capn[0-9]$' || true); do ip link del "$l" || true; done
    ;;
  stop)
    name=${2:-}
    [[ "$name" =~ ^node-[2-9]$ ]] || die "usage: nodes.sh stop node-N (2..9)"
    pidf="$run/$name/docker.pid"
    [ -f "$pidf" ] || die "$name is not running (no $pidf)"
    pid=$(cat "$pidf")
    kill -9 "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    answers "$name" && die "$name still answers after its dockerd was killed"
    log "$name stopped (dockerd $pid killed; bring it back with: nodes.sh up N)"
    ;;
  list)
    for d in "$run"/node-*; do
      [ -e "$d" ] || continue
      name=$(basename "$d")
      if answers "$name"; then echo "$name unix://$(sock_of "$name")"; fi
    done
    ;;
  *) die "usage: nodes.sh up N | down | list | stop node-N" ;;
esac
