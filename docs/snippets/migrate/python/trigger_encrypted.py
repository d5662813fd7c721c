"""End-to-end encrypted channels work as on hosted Pusher: the SDK encrypts with the master key,
Belfry only relays the ciphertext. Same master key as before; only host, port and ssl change."""

import os

import pusher

client = pusher.Pusher(
    app_id=os.environ.get("PUSHER_APP_ID", "1001"),
    key=os.environ.get("PUSHER_APP_KEY", "chat-key"),
    secret=os.environ.get("PUSHER_APP_SECRET", "chat-secret"),
    host=os.environ.get("PUSHER_HOST", "127.0.0.1"),
    port=int(os.environ.get("PUSHER_PORT", "6001")),
    ssl=os.environ.get("PUSHER_SCHEME", "http") == "https",
    # 32 bytes, base64: keep the one your app already uses with hosted Pusher
    encryption_master_key_base64=os.environ["PUSHER_ENCRYPTION_MASTER_KEY_BASE64"],
)

print(client.trigger("private-encrypted-orders", "order-shipped", {"id": 42, "status": "shipped"}))
