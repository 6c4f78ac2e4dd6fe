#!/usr/bin/env bash
# `npm run bench`: every benchmark under bench/, each printing its figures and its ratio to the named peer.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/setup.sh
status=0
for b in bench/*.bench.ts; do
  [ -e "$b" ] || continue
  echo "== $b"
  npx tsx "$b" || status=1
done
exit $status
