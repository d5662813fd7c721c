"""A Pusher client in Python (pip install websockets): connect, subscribe to a public channel and,
through the auth endpoint, to a private one, then print every event that arrives."""
import asyncio
import json
import os
import urllib.parse
import urllib.request

import websockets

HOST = os.environ.get("PUSHER_HOST", "127.0.0.1")
PORT = os.environ.get("PUSHER_PORT", "6001")
WS_SCHEME = "wss" if os.environ.get("PUSHER_SCHEME", "http") == "https" else "ws"
KEY = os.environ.get("PUSHER_APP_KEY", "chat-key")
AUTH_URL = os.environ.get("AUTH_URL", "http://127.0.0.1:8000/pusher/auth")


def authorize(socket_id, channel):
    """POST to the auth endpoint, as pusher-js does: {"auth": ..., "channel_data"?: ...}."""
    form = urllib.parse.urlencode({"socket_id": socket_id, "channel_name": channel}).encode()
    with urllib.request.urlopen(AUTH_URL, data=form, timeout=10) as answer:
        return json.load(answer)


async def main():
    url = f"{WS_SCHEME}://{HOST}:{PORT}/app/{KEY}?protocol=7&client=python&version=1.0"
    async with websockets.connect(url) as ws:
        hello = json.loads(await ws.recv())  # pusher:connection_established
        socket_id = json.loads(hello["data"])["socket_id"]
        print("connected", socket_id, flush=True)
        await ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "news"}}))
        auth = await asyncio.to_thread(authorize, socket_id, "private-orders")
        await ws.send(json.dumps({"event": "pusher:subscribe",
                                  "data": {"channel": "private-orders", **auth}}))
        async for raw in ws:
            message = json.loads(raw)
            if message["event"] == "pusher:ping":  # the server pings after activity_timeout
                await ws.send(json.dumps({"event": "pusher:pong", "data": {}}))
                continue
            print(message["event"], message.get("channel", "-"), message.get("data", ""), flush=True)


asyncio.run(main())
