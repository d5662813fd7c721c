"""Publish with the official Python SDK (pip install pusher), pointed at Belfry instead of
api-<cluster>.pusher.com: only host, port and ssl change."""

import os

import pusher

client = pusher.Pusher(
    app_id=os.environ.get("PUSHER_APP_ID", "1001"),
    key=os.environ.get("PUSHER_APP_KEY", "chat-key"),
    secret=os.environ.get("PUSHER_APP_SECRET", "chat-secret"),
    host=os.environ.get("PUSHER_HOST", "127.0.0.1"),  # was: cluster="eu"
    port=int(os.environ.get("PUSHER_PORT", "6001")),
    ssl=os.environ.get("PUSHER_SCHEME", "http") == "https",
)

channel = os.environ.get("CHANNEL", "orders")
print(client.trigger(channel, "order-shipped", {"id": 42, "status": "shipped"}))
