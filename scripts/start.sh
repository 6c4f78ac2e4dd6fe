#!/usr/bin/env bash
# `npm start`: installs what Capstan needs, builds it, and runs the main job.
# Until the sync daemon lands, the main job is `capstan doctor`, which checks every engine,
# git and the state directory.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/setup.sh
npm run --silent build
echo "capstan: the sync daemon is not built yet; running 'capstan doctor' instead." >&2
exec node bin/capstan.js doctor "$@"
