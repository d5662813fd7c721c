"""The same check with the SDK: validate_webhook answers the payload, or None when the key is
not this app's or the signature does not match."""
import os
import sys

import pusher

KEY = os.environ.get("PUSHER_APP_KEY", "chat-key")
client = pusher.Pusher(app_id=os.environ.get("PUSHER_APP_ID", "1001"), key=KEY,
                       secret=os.environ.get("PUSHER_APP_SECRET", "chat-secret"))


def verify(headers, body):
    """headers: the request's headers; body: its raw body (str)."""
    return client.validate_webhook(key=headers.get("X-Pusher-Key", ""),
                                   signature=headers.get("X-Pusher-Signature", ""),
                                   body=body)


if __name__ == "__main__":  # python3 webhook_sdk.py SIGNATURE < body.json
    payload = verify({"X-Pusher-Key": KEY, "X-Pusher-Signature": sys.argv[1]}, sys.stdin.read())
    print("verified" if payload else "rejected", payload["events"] if payload else "")
