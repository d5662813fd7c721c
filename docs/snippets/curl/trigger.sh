#!/bin/sh
# Publish an event with curl; the signature is computed in the shell (sign.sh).
set -eu
. "$(dirname "$0")/sign.sh"

# data is a string: the JSON your subscribers parse.
body='{"name":"greeting","channel":"news","data":"{\"text\":\"hello from curl\"}"}'
curl -sS -X POST -H 'Content-Type: application/json' -d "$body" \
  "$(pusher_url POST "/apps/$PUSHER_APP_ID/events" "$body")"
echo
# {}
