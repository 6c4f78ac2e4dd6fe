#!/usr/bin/env bash
# Makes sure a Docker engine answers. Honours DOCKER_HOST. On Debian, as root,
# installs docker.io (and busybox-static for the demo images) and starts dockerd.
# Idempotent: a running engine is left alone.
set -euo pipefail

log() { printf 'ensure-docker: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
command -v docker >/dev/null 2>&1 || need_pkgs+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || need_pkgs+=(busybox-static)
command -v git >/dev/null 2>&1 || need_pkgs+=(git)

if [ ${#need_pkgs[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${need_pkgs[*]}; run as root or install them (apt-get install ${need_pkgs[*]})"
  command -v apt-get >/dev/null 2>&1 || die "missing ${need_pkgs[*]} and no apt-get to install them"
  log "installing ${need_pkgs[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || log "apt-get update failed; trying the install anyway"
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null || die "apt-get install ${need_pkgs[*]} failed"
fi

if engine_answers; then exit 0; fi

if [ -n "${DOCKER_HOST:-}" ]; then
  die "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST"
fi
[ "$(id -u)" = 0 ] || die "no Docker engine answers and starting one needs root"

log "starting dockerd"
mkdir -p /var/log
# No iptables here: containers are reached through ports published on 127.0.0.1,
# which docker-proxy serves without NAT rules.
nohup dockerd --iptables=false --ip6tables=false >/var/log/capstan-dockerd.log 2>&1 </dev/null &
for _ in $(seq 1 60); do
  if engine_answers; then log "dockerd is up ($(docker version --format '{{.Server.Version}}'))"; exit 0; fi
  sleep 0.5
done
tail -n 20 /var/log/capstan-dockerd.log >&2 || true
die "dockerd did not answer within 30 s (log: /var/log/capstan-dockerd.log)"
