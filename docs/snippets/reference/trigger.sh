#!/bin/sh
# Publish one event with curl: the request signed as the Pusher HTTP API requires.
set -eu
HOST=${PUSHER_HOST:-127.0.0.1} PORT=${PUSHER_PORT:-6001}
APP_ID=${PUSHER_APP_ID:-1001} KEY=${PUSHER_APP_KEY:-chat-key} SECRET=${PUSHER_APP_SECRET:-chat-secret}

body='{"name":"greeting","channel":"news","data":"{\"text\":\"hello\"}"}'
path="/apps/$APP_ID/events"
md5=$(printf '%s' "$body" | md5sum | cut -d' ' -f1)
# The query in sorted key order, values unescaped: this exact text is signed.
query="auth_key=$KEY&auth_timestamp=$(date +%s)&auth_version=1.0&body_md5=$md5"
signature=$(printf 'POST\n%s\n%s' "$path" "$query" | openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.* //')
curl -sS -H 'Content-Type: application/json' -d "$body" \
  "http://$HOST:$PORT$path?$query&auth_signature=$signature"
echo
