#!/bin/sh
# Publish the event "greeting" on the channel "news" through the HTTP API, signed as Pusher does:
# HMAC-SHA256 of "POST\n<path>\n<sorted query>" with the app secret, body_md5 of the body.
set -eu
host=${PUSHER_HOST:-127.0.0.1} port=${PUSHER_PORT:-6001} scheme=${PUSHER_SCHEME:-http}
app_id=${PUSHER_APP_ID:-1001} key=${PUSHER_APP_KEY:-chat-key} secret=${PUSHER_APP_SECRET:-chat-secret}

body='{"name":"greeting","channel":"news","data":"{\"text\":\"hello\"}"}'
path="/apps/$app_id/events"
md5=$(printf '%s' "$body" | md5sum | cut -d' ' -f1)
query="auth_key=$key&auth_timestamp=$(date +%s)&auth_version=1.0&body_md5=$md5"
signature=$(printf 'POST\n%s\n%s' "$path" "$query" | openssl dgst -sha256 -hmac "$secret" | sed 's/^.* //')

curl -sS -H 'Content-Type: application/json' -d "$body" \
  "$scheme://$host:$port$path?$query&auth_signature=$signature"
echo    # the answer is {} on success, {"error":"…"} otherwise
