"""What the examples' tests share: a Pusher WebSocket client driven from the test, the checks
every auth endpoint and webhook receiver must pass whatever its language, and the webhook App
manifest that docs/examples/index.md shows."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import shutil
import time

import pusher
import pytest
import requests
from websockets.sync.client import connect

from docs_support import DOCS, DocsServer, wait_until


def need(*programs: str) -> None:
    """Fail when a runtime is missing: make test installs php-cli and golang-go (and nodejs)."""
    missing = [p for p in programs if shutil.which(p) is None]
    assert not missing, f"not installed: {', '.join(missing)} (make test installs them)"


class PusherSocket:
    """A Pusher protocol 7 client on the WebSocket of a DocsServer (or another port)."""

    def __init__(self, port: int, key: str):
        self.ws = connect(f"ws://127.0.0.1:{port}/app/{key}?protocol=7&client=docs-test&version=1.0",
                          open_timeout=10, legacy=True)
        hello = self.next()
        assert hello["event"] == "pusher:connection_established", hello
        self.socket_id = json.loads(hello["data"])["socket_id"]

    def next(self, timeout: float = 10) -> dict:
        return json.loads(self.ws.recv(timeout=timeout))

    def wait_for(self, event: str, channel: str | None = None, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no {event} on {channel} within {timeout}s"
            message = self.next(left)
            if message["event"] == event and (channel is None or message.get("channel") == channel):
                return message
            assert message["event"] not in ("pusher:error", "pusher:subscription_error"), message

    def subscribe(self, channel: str, **auth: str) -> dict:
        """Subscribe (auth: the endpoint's answer) and answer pusher_internal:subscription_succeeded."""
        self.ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": channel, **auth}}))
        return self.wait_for("pusher_internal:subscription_succeeded", channel)

    def close(self) -> None:
        self.ws.close()


def check_auth_endpoint(server: DocsServer, port: int, path: str = "/pusher/auth") -> None:
    """What every auth endpoint example must do: sign a private and a presence subscription the
    server accepts (a real client subscribes with the answer), refuse a public channel, and sign
    a user in (/pusher/user-auth)."""
    url = f"http://127.0.0.1:{port}{path}"
    client = PusherSocket(server.port, server.env()["PUSHER_APP_KEY"])
    try:
        # As pusher-js sends it: application/x-www-form-urlencoded.
        answer = requests.post(url, data={"socket_id": client.socket_id, "channel_name": "private-orders"}, timeout=10)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"auth"} and body["auth"].startswith("chat-key:"), body
        expected = hmac.new(b"chat-secret", f"{client.socket_id}:private-orders".encode(), hashlib.sha256).hexdigest()
        assert body["auth"] == f"chat-key:{expected}"
        client.subscribe("private-orders", **body)

        answer = requests.post(url, data={"socket_id": client.socket_id, "channel_name": "presence-room"}, timeout=10)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"auth", "channel_data"}, body
        member = json.loads(body["channel_data"])
        assert member == {"user_id": "alice", "user_info": {"name": "Alice"}}, member
        joined = json.loads(client.subscribe("presence-room", **body)["data"])
        assert joined["presence"]["ids"] == ["alice"] and joined["presence"]["hash"]["alice"] == {"name": "Alice"}

        refused = requests.post(url, data={"socket_id": client.socket_id, "channel_name": "news"}, timeout=10)
        assert refused.status_code == 403, (refused.status_code, refused.text)
    finally:
        client.close()
    check_user_auth(server, f"http://127.0.0.1:{port}/pusher/user-auth")


def check_user_auth(server: DocsServer, url: str) -> None:
    """The user authentication endpoint (pusher.signin()): the server accepts the signed user_data,
    and an event sent to that user through the HTTP API reaches the signed-in connection."""
    client = PusherSocket(server.port, "chat-key")
    try:
        answer = requests.post(url, data={"socket_id": client.socket_id}, timeout=10)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"auth", "user_data"}, body
        assert json.loads(body["user_data"]) == {"id": "alice", "user_info": {"name": "Alice"}}, body
        signed = f"{client.socket_id}::user::{body['user_data']}".encode()
        assert body["auth"] == "chat-key:" + hmac.new(b"chat-secret", signed, hashlib.sha256).hexdigest()
        client.ws.send(json.dumps({"event": "pusher:signin", "data": body}))
        assert client.wait_for("pusher:signin_success")["data"] == {"user_data": body["user_data"]}
        sdk = pusher.Pusher(app_id="1001", key="chat-key", secret="chat-secret", host="127.0.0.1",
                            port=server.port, ssl=False)
        sdk.send_to_user("alice", "notice", {"text": "for alice"})
        assert json.loads(client.wait_for("notice", "#server-to-user-alice")["data"]) == {"text": "for alice"}
    finally:
        client.close()


# The App of docs/examples/index.md whose webhook the receivers get (its port replaced).
WEBHOOK_APP = dict(id="2001", key="hooked-key", secret="hooked-secret")


def webhook_manifest(port: int) -> str:
    page = (DOCS / "examples" / "index.md").read_text()
    [manifest] = [block for block in re.findall(r"```yaml\n(.*?)```", page, re.S) if "webhooks:" in block]
    assert "http://127.0.0.1:8000/pusher/webhook" in manifest, manifest
    return manifest.replace("127.0.0.1:8000", f"127.0.0.1:{port}")


def check_webhook_receiver(server: DocsServer, receiver, port: int) -> None:
    """The server's signed channel_occupied is verified and logged; a forged request gets 401."""
    client = PusherSocket(server.port, WEBHOOK_APP["key"])
    try:
        client.subscribe("news")
        receiver.wait_for_output("verified channel_occupied news", timeout=20)
    finally:
        client.close()
    url = f"http://127.0.0.1:{port}/pusher/webhook"
    body = json.dumps({"time_ms": int(time.time() * 1000), "events": [{"name": "channel_occupied", "channel": "forged"}]})
    forged = hmac.new(b"not-the-secret", body.encode(), hashlib.sha256).hexdigest()
    answer = requests.post(url, data=body, timeout=10, headers={
        "Content-Type": "application/json", "X-Pusher-Key": WEBHOOK_APP["key"], "X-Pusher-Signature": forged})
    assert answer.status_code == 401, (answer.status_code, answer.text)
    unsigned = requests.post(url, data=body, timeout=10, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401, (unsigned.status_code, unsigned.text)
    assert "verified channel_occupied forged" not in receiver.output()
    # A request signed with the secret passes: the receiver checks the signature, not the sender.
    good = hmac.new(WEBHOOK_APP["secret"].encode(), body.encode(), hashlib.sha256).hexdigest()
    answer = requests.post(url, data=body, timeout=10, headers={
        "Content-Type": "application/json", "X-Pusher-Key": WEBHOOK_APP["key"], "X-Pusher-Signature": good})
    assert answer.status_code == 200, (answer.status_code, answer.text)
    receiver.wait_for_output("verified channel_occupied forged")
    assert receiver.output().count("rejected") >= 2


def webhook_env(server: DocsServer, port: int) -> dict[str, str]:
    return server.env(PORT=str(port), PUSHER_APP_ID=WEBHOOK_APP["id"], PUSHER_APP_KEY=WEBHOOK_APP["key"],
                      PUSHER_APP_SECRET=WEBHOOK_APP["secret"])


def wait_for_event(client: PusherSocket, event: str, channel: str) -> dict:
    message = client.wait_for(event, channel)
    return json.loads(message["data"])


__all__ = ["PusherSocket", "check_auth_endpoint", "check_webhook_receiver", "need", "wait_for_event",
           "wait_until", "webhook_env", "webhook_manifest", "WEBHOOK_APP"]
