#!/usr/bin/env bash
# `npm test`: installs what the tests need, then runs unit and integration tests on a real engine.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/setup.sh
# Go's own text/template is the oracle for the template engine's differential tests.
if ! command -v go >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing golang-go (the template oracle)" >&2
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-go >/dev/null
  else
    echo "test: Go is missing; install golang-go for the template oracle tests" >&2
  fi
fi
# Debian's Chromium drives the dashboard's browser tests.
if ! [ -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test: installing chromium (dashboard browser tests)" >&2
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
cleanup() { bash scripts/nodes.sh down >/dev/null 2>&1 || true; }
trap cleanup EXIT
npx tsc -p tsconfig.json --noEmit
if [ $# -gt 0 ]; then
  npx vitest run "$@"
  exit
fi
npx vitest run --project unit
# Integration tests share one Docker engine, its ports and the extra nodes: one file at a time.
npx vitest run --project integration --no-file-parallelism
