#!/usr/bin/env bash
# Everything `npm start`, `npm test` and `npm run bench` need on a fresh machine:
# npm dependencies, a Docker engine (installed and started if none answers), the demo images.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies" >&2
  # `npm install` keeps the lockfile's versions; `npm ci` is not used because npm 11 leaves
  # other platforms' optional packages out of the lockfile and then refuses it as out of sync.
  npm install --no-audit --no-fund --loglevel=error
fi
bash scripts/ensure-docker.sh
bash scripts/build-images.sh
