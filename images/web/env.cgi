#!/bin/sh
echo "Content-Type: text/plain"
echo
env | grep -v -E '^(GATEWAY_INTERFACE|HTTP_|QUERY_STRING|REMOTE_|REQUEST_|SCRIPT_|SERVER_|PATH_INFO|CONTENT_)' | sort
