#!/bin/sh
# What an auth endpoint answers, computed in the shell: sh auth.sh SOCKET_ID CHANNEL [CHANNEL_DATA]
# private-…: {"auth":"key:HMAC-SHA256(secret, SOCKET_ID:CHANNEL)"}
# presence-…: the same over SOCKET_ID:CHANNEL:CHANNEL_DATA, and channel_data itself.
set -eu
: "${PUSHER_APP_KEY:=chat-key}" "${PUSHER_APP_SECRET:=chat-secret}"
socket_id=$1 channel=$2 channel_data=${3:-}

if [ -n "$channel_data" ]; then
  signed="$socket_id:$channel:$channel_data"
else
  signed="$socket_id:$channel"
fi
signature=$(printf '%s' "$signed" | openssl dgst -sha256 -hmac "$PUSHER_APP_SECRET" | sed 's/^.* //')
if [ -n "$channel_data" ]; then
  jq -cn --arg auth "$PUSHER_APP_KEY:$signature" --arg data "$channel_data" '{auth: $auth, channel_data: $data}'
else
  jq -cn --arg auth "$PUSHER_APP_KEY:$signature" '{auth: $auth}'
fi
