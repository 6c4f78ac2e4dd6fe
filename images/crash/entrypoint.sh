#!/bin/sh
echo "crash: starting, will exit in a second"
sleep 1
echo "crash: exiting with status 3" >&2
exit 3
