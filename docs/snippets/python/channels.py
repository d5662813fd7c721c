"""Query the app's state: occupied channels, a presence channel's user count and its users."""
import json
import os

import pusher

client = pusher.Pusher(
    app_id=os.environ.get("PUSHER_APP_ID", "1001"),
    key=os.environ.get("PUSHER_APP_KEY", "chat-key"),
    secret=os.environ.get("PUSHER_APP_SECRET", "chat-secret"),
    host=os.environ.get("PUSHER_HOST", "127.0.0.1"),
    port=int(os.environ.get("PUSHER_PORT", "6001")),
    ssl=os.environ.get("PUSHER_SCHEME", "http") == "https",
)

# Every occupied channel of the app.
print("channels:", json.dumps(client.channels_info()))
# Presence channels with their distinct users (info=user_count needs the presence- prefix).
print("presence:", json.dumps(client.channels_info(prefix_filter="presence-", attributes=["user_count"])))
# The users of one presence channel.
print("users:", json.dumps(client.users_info("presence-room")))
