#!/bin/sh
# PID 1 must handle SIGTERM itself, or docker stop waits out the whole grace period.
trap 'kill "$pid" 2>/dev/null; exit 0' TERM INT
echo "web $(cat /www/index.html | cut -d' ' -f2) listening on :8080"
httpd -f -p "${PORT:-8080}" -h /www &
pid=$!
wait "$pid"
