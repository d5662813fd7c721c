"""Publish an event through the HTTP API with the official SDK (pip install pusher)."""
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

# The SDK signs the request (auth_key, auth_timestamp, body_md5, auth_signature)
# and JSON-encodes the data.
answer = client.trigger("news", "greeting", {"text": "hello from Python"})
print("trigger:", json.dumps(answer))  # {}

# Ask about the channel: occupied, and how many connections are subscribed.
info = client.channel_info("news", ["subscription_count"])
print("news:", json.dumps(info, sort_keys=True))  # {"occupied": true, "subscription_count": 1}
