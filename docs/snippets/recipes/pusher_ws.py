"""A minimal Pusher-protocol client (asyncio + websockets) for the recipes: the part of pusher-js
they rely on (connect, authorized subscribe, sign-in, client events), so they run from Python."""
import asyncio
import json
import os

import requests
import websockets

HOST = os.environ.get("PUSHER_HOST", "127.0.0.1")
PORT = os.environ.get("PUSHER_PORT", "6001")
SCHEME = "wss" if os.environ.get("PUSHER_SCHEME", "http") == "https" else "ws"
KEY = os.environ.get("PUSHER_APP_KEY", "chat-key")
AUTH_URL = os.environ.get("AUTH_URL", "http://127.0.0.1:8000")  # where auth_server.py listens


def decode(frame):
    message = json.loads(frame)
    if isinstance(message.get("data"), str):  # Pusher sends most data as a JSON string
        try:
            message["data"] = json.loads(message["data"])
        except ValueError:
            pass
    return message


class Client:
    """One connection (one browser tab) of `user`; events land in `self.inbox`."""

    def __init__(self, user):
        self.user = user
        self.inbox = asyncio.Queue()

    async def connect(self):
        url = f"{SCHEME}://{HOST}:{PORT}/app/{KEY}?protocol=7&client=recipes&version=1.0"
        self.ws = await websockets.connect(url)
        hello = decode(await self.ws.recv())
        if hello["event"] != "pusher:connection_established":
            raise RuntimeError(f"connection refused: {hello['data']}")
        self.socket_id = hello["data"]["socket_id"]
        self.reader = asyncio.create_task(self._read())
        return self

    async def _read(self):
        try:
            async for frame in self.ws:
                message = decode(frame)
                if message["event"] == "pusher:ping":
                    await self.ws.send(json.dumps({"event": "pusher:pong", "data": {}}))
                else:
                    await self.inbox.put(message)
        except websockets.ConnectionClosed:
            pass
        await self.inbox.put({"event": "closed", "code": self.ws.close_code, "reason": self.ws.close_reason})

    async def next(self, *events, timeout=10):
        """The next message whose event is one of `events` (any when none), or "closed"."""
        async with asyncio.timeout(timeout):
            while True:
                message = await self.inbox.get()
                if not events or message["event"] in events or message["event"] == "closed":
                    return message

    async def drain(self):
        """Every message received until the answer to a pusher:ping: the server handles a
        connection's messages in order, so this holds its answers to all that was sent before."""
        try:
            await self.ws.send(json.dumps({"event": "pusher:ping", "data": {}}))
        except websockets.ConnectionClosed:
            pass  # closed by the server: what it sent before is still in the inbox
        messages = []
        while (message := await self.next()) and message["event"] not in ("pusher:pong", "closed"):
            messages.append(message)
        return messages + ([message] if message["event"] == "closed" else [])

    async def authorize(self, path, **form):
        answer = await asyncio.to_thread(
            requests.post, AUTH_URL + path, data={"socket_id": self.socket_id, "user": self.user, **form},
            timeout=10)
        answer.raise_for_status()
        return answer.json()

    async def subscribe(self, channel):
        """Subscribes (authorized by the auth endpoint); returns the subscription_succeeded data."""
        data = {"channel": channel}
        if channel.startswith(("private-", "presence-")):
            data.update(await self.authorize("/pusher/auth", channel_name=channel))
        await self.ws.send(json.dumps({"event": "pusher:subscribe", "data": data}))
        answer = await self.next("pusher_internal:subscription_succeeded", "pusher:subscription_error")
        if answer["event"] != "pusher_internal:subscription_succeeded":
            raise RuntimeError(f"{channel}: {answer['data']}")
        return answer["data"]

    async def signin(self):
        data = await self.authorize("/pusher/user-auth")
        await self.ws.send(json.dumps({"event": "pusher:signin", "data": data}))
        await self.next("pusher:signin_success")

    async def trigger(self, channel, event, data):
        """A client event: Belfry relays it to the channel's other subscribers, never back."""
        await self.ws.send(json.dumps({"event": event, "channel": channel, "data": data}))

    async def close(self):
        await self.ws.close()
        await self.reader
