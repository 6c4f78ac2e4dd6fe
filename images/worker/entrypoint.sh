#!/bin/sh
trap 'echo "worker: stopping"; exit 0' TERM INT
i=0
while :; do
  echo "worker: tick $i"
  i=$((i + 1))
  sleep 1 &
  wait $!
done
