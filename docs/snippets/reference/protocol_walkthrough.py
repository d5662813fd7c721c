"""A raw Pusher protocol 7 session against Belfry, every frame printed.

"> " marks a frame sent, "< " a frame received, "# " a comment. Needs `websockets`.
"""
import hashlib
import hmac
import json
import os

from websockets.sync.client import connect

HOST = os.environ.get("PUSHER_HOST", "127.0.0.1")
PORT = os.environ.get("PUSHER_PORT", "6001")
KEY = os.environ.get("PUSHER_APP_KEY", "chat-key")
SECRET = os.environ.get("PUSHER_APP_SECRET", "chat-secret")
URL = f"ws://{HOST}:{PORT}/app/{KEY}?protocol=7&client=docs&version=1.0"


# --8<-- [start:auth]
def sign(message: str) -> str:
    """'<app key>:<hex HMAC-SHA256 of message with the app secret>', what an auth endpoint returns."""
    return KEY + ":" + hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()


def private_auth(socket_id: str, channel: str) -> str:
    return sign(f"{socket_id}:{channel}")  # private-, private-encrypted-, private-cache-


def presence_auth(socket_id: str, channel: str, channel_data: str) -> str:
    return sign(f"{socket_id}:{channel}:{channel_data}")  # channel_data: the exact JSON string sent


def user_auth(socket_id: str, user_data: str) -> str:
    return sign(f"{socket_id}::user::{user_data}")  # pusher:signin
# --8<-- [end:auth]


def send(ws, event):
    text = json.dumps(event)
    print("> " + text)
    ws.send(text)


def receive(ws, count=1):
    frames = []
    for _ in range(count):
        text = ws.recv(timeout=5)
        print("< " + text)
        frames.append(json.loads(text))
    return frames


def established(ws):
    """The first frame: pusher:connection_established, whose data holds the socket id."""
    [frame] = receive(ws)
    return json.loads(frame["data"])["socket_id"]


print("# connection A")
with connect(URL) as a:
    socket_a = established(a)
    send(a, {"event": "pusher:ping", "data": {}})
    receive(a)
    send(a, {"event": "pusher:subscribe", "data": {"channel": "news"}})
    receive(a)
    send(a, {"event": "pusher:subscribe",
             "data": {"channel": "private-orders", "auth": private_auth(socket_a, "private-orders")}})
    receive(a)
    data_a = json.dumps({"user_id": "1", "user_info": {"name": "Ada"}})
    send(a, {"event": "pusher:subscribe", "data": {
        "channel": "presence-lobby", "channel_data": data_a,
        "auth": presence_auth(socket_a, "presence-lobby", data_a)}})
    receive(a)
    user_data = json.dumps({"id": "1", "user_info": {"name": "Ada"}})
    send(a, {"event": "pusher:signin", "data": {"user_data": user_data, "auth": user_auth(socket_a, user_data)}})
    receive(a)
    print("# a wrong signature: pusher:error, then pusher:subscription_error; the connection stays open")
    send(a, {"event": "pusher:subscribe", "data": {"channel": "private-secret", "auth": KEY + ":00"}})
    receive(a, 2)

    print("# connection B joins the presence channel and sends a client event")
    with connect(URL) as b:
        socket_b = established(b)
        data_b = json.dumps({"user_id": "2", "user_info": {"name": "Grace"}})
        send(b, {"event": "pusher:subscribe", "data": {
            "channel": "presence-lobby", "channel_data": data_b,
            "auth": presence_auth(socket_b, "presence-lobby", data_b)}})
        receive(b)
        receive(a)  # pusher_internal:member_added
        send(b, {"event": "client-typing", "channel": "presence-lobby", "data": {"typing": True}})
        receive(a)  # the client event, with the sender's user_id; B does not get it back
    receive(a)  # pusher_internal:member_removed, once user 2's last connection has left

    send(a, {"event": "pusher:unsubscribe", "data": {"channel": "news"}})  # no answer
print("# closed with code", a.close_code)
