#!/bin/sh
# Query the app's state with signed GET requests (sign.sh).
set -eu
. "$(dirname "$0")/sign.sh"
apps="/apps/$PUSHER_APP_ID"

# Every occupied channel.
curl -sS "$(pusher_url GET "$apps/channels" "")"; echo
# {"channels":{"news":{},"presence-room":{}}}

# Presence channels with their distinct users (info=user_count needs filter_by_prefix=presence-).
curl -sS "$(pusher_url GET "$apps/channels" "" filter_by_prefix=presence- info=user_count)"; echo
# {"channels":{"presence-room":{"user_count":1}}}

# One channel: occupied, and how many connections are subscribed.
curl -sS "$(pusher_url GET "$apps/channels/news" "" info=subscription_count)"; echo
# {"occupied":true,"subscription_count":1}

# The users of a presence channel.
curl -sS "$(pusher_url GET "$apps/channels/presence-room/users" "")"; echo
# {"users":[{"id":"alice"}]}
