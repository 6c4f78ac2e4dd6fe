#!/usr/bin/env bash
# `npm start`: ensures Docker and the demo images, makes a Git working copy of repo-example under the
# state directory (the checkout itself is never touched), and runs the sync daemon on it in the
# foreground until Ctrl-C. Extra arguments go to `capstan daemon` (e.g. --listen 127.0.0.1:7421).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/setup.sh
npm run --silent build

state="${CAPSTAN_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/capstan}"
work="$state/repo-example"
mkdir -p "$state"
if [ ! -d "$work/.git" ]; then
  echo "start: making $work a Git repository from repo-example/" >&2
  rm -rf "$work"
  cp -r "$here/repo-example" "$work"
  git -C "$work" init --quiet --initial-branch=main
  git -C "$work" add .
  git -C "$work" -c user.name="${GIT_AUTHOR_NAME:-Capstan demo}" -c user.email="${GIT_AUTHOR_EMAIL:-demo@capstan.invalid}" \
    commit --quiet -m "Capstan example: web and worker"
fi

listen="${CAPSTAN_LISTEN:-127.0.0.1:7420}"
cat >&2 <<MSG

Capstan daemon following $work
  API and dashboard: http://$listen   (token: $state/token)
  web (Service NodePort): http://127.0.0.1:30080/

Try, in another terminal:
  1. edit a value and commit:
       cd $work && sed -i 's/tag: v1/tag: v2/' envs/prod/web.yaml && git commit -am "web v2"
  2. node $here/bin/capstan.js --state-dir $state history web
  3. node $here/bin/capstan.js --state-dir $state rollback web
     (then: get apps shows "OutOfSync (pinned to …)"; unpin web follows the branch again)

Ctrl-C stops the daemon; the containers keep running and a restart adopts them.

MSG
exec node --max-semi-space-size=1 --optimize-for-size bin/capstan.js --state-dir "$state" daemon --repo "$work" --listen "$listen" "$@"
