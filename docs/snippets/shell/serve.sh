#!/bin/sh
# Serve ./config: WebSocket and HTTP API on port 6001, status page on 127.0.0.1:9601,
# state (SQLite database, admin token) in ./data. Stop with Ctrl-C (SIGINT) or SIGTERM.
exec belfry serve --source config --port "${PUSHER_PORT:-6001}" --data-dir data
