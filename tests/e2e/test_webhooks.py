"""Webhook semantics end to end, with real clients and a real HTTP receiver: every event kind
with Pusher's fields, the 3 s delay of channel_vacated / member_removed and its cancellation by a
quick return, one member_added per user (not per socket), one cache_miss per occupancy, and the
official `pusher` SDK's validate_webhook accepting every request."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pusher
import pytest

from conftest import USERS_MANIFEST, App, WsClient, wait_until
from test_reconcile import Served

APP = App("hooked", "2001", "hooked-key", "hooked-secret", client_events=True)
ALL_EVENTS = ["channel_occupied", "channel_vacated", "member_added", "member_removed", "client_event", "cache_miss",
              "subscription_count", "connection_opened", "connection_closed"]


class Receiver:
    """An HTTP endpoint that records every webhook request (time received, headers, body)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.requests.append({"at": time.monotonic(), "headers": dict(self.headers), "body": body})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict]:
        """Every event received, each with the time its request arrived (`_at`)."""
        with self.lock:
            return [dict(event, _at=r["at"]) for r in self.requests for event in json.loads(r["body"])["events"]]

    def named(self, name: str, **fields) -> list[dict]:
        return [e for e in self.events() if e["name"] == name and all(e.get(k) == v for k, v in fields.items())]

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def hooked(tmp_path: Path):
    receiver = Receiver()
    config = tmp_path / "config"
    config.mkdir()
    (config / "app.yaml").write_text(
        APP.manifest() + f"  webhooks:\n    - url: {receiver.url}\n      events: {json.dumps(ALL_EVENTS)}\n")
    (config / "users.yaml").write_text(USERS_MANIFEST)
    served = Served(tmp_path, config)
    yield served, receiver
    served.stop()
    receiver.close()


def client(served: Served) -> WsClient:
    ws = WsClient(f"ws://127.0.0.1:{served.port}/app/{APP.key}?protocol=7", APP)
    ws.handshake()
    return ws


def test_every_event_kind_arrives_with_pushers_fields_and_a_valid_signature(hooked):
    served, receiver = hooked
    a = client(served)
    wait_until(lambda: receiver.named("connection_opened", socket_id=a.socket_id), timeout=10,
               message="connection_opened")
    a.subscribe("news")
    wait_until(lambda: receiver.named("channel_occupied", channel="news"), timeout=10, message="occupied")
    assert receiver.named("subscription_count", channel="news", subscription_count=1)
    a.subscribe_presence("presence-room", "u1")
    b = client(served)
    b.subscribe_presence("presence-room", "u1")  # the same user on a second socket: no second member_added
    a.send({"event": "client-typing", "channel": "presence-room", "data": {"x": 1}})
    wait_until(lambda: receiver.named("client_event", channel="presence-room"), timeout=10, message="client_event")
    [event] = receiver.named("client_event", channel="presence-room")
    assert event["event"] == "client-typing" and event["socket_id"] == a.socket_id and event["user_id"] == "u1"
    assert json.loads(event["data"]) == {"x": 1}
    assert len(receiver.named("member_added", channel="presence-room", user_id="u1")) == 1
    a.subscribe("cache-prices")
    b.subscribe("cache-prices")
    wait_until(lambda: receiver.named("cache_miss", channel="cache-prices"), timeout=10, message="cache_miss")

    closed_at = time.monotonic()
    a.close()
    b.close()
    vacated = wait_until(lambda: receiver.named("channel_vacated", channel="presence-room"), timeout=15,
                         message="vacated")
    assert vacated[0]["_at"] - closed_at >= 2.5, "channel_vacated is held about 3 s"
    wait_until(lambda: receiver.named("channel_vacated", channel="news") and
               receiver.named("channel_vacated", channel="cache-prices"), timeout=10, message="all vacated")
    removed = receiver.named("member_removed", channel="presence-room", user_id="u1")
    assert len(removed) == 1
    assert len(receiver.named("cache_miss", channel="cache-prices")) == 1, "one cache_miss per occupancy"
    closes = wait_until(lambda: len(receiver.named("connection_closed")) == 2 and receiver.named("connection_closed"),
                        timeout=10, message="connection_closed")
    assert {c["socket_id"] for c in closes} == {a.socket_id, b.socket_id}
    assert all(isinstance(c["close_code"], int) and c["duration_ms"] >= 0 for c in closes)

    sdk = pusher.Pusher(app_id=APP.id, key=APP.key, secret=APP.secret)
    with receiver.lock:
        requests = list(receiver.requests)
    for request in requests:
        assert request["headers"]["Content-Type"] == "application/json"
        assert request["headers"]["X-Pusher-Key"] == APP.key
        validated = sdk.validate_webhook(key=request["headers"]["X-Pusher-Key"],
                                         signature=request["headers"]["X-Pusher-Signature"],
                                         body=request["body"].decode())
        assert validated is not None and validated["events"], request


def test_a_quick_return_sends_nothing(hooked):
    served, receiver = hooked
    a = client(served)
    a.subscribe_presence("presence-flap", "u9")
    wait_until(lambda: receiver.named("member_added", channel="presence-flap"), timeout=10, message="member_added")
    a.close()
    again = client(served)  # a page reload: back within a second
    again.subscribe_presence("presence-flap", "u9")
    # Past the 3 s delay, and a bit: nothing was sent for the flap.
    wait_until(lambda: receiver.named("connection_closed", socket_id=a.socket_id), timeout=10,
               message="the first socket's close")
    time.sleep(4)  # asserting silence: the delayed events would have arrived by now
    assert receiver.named("member_removed", channel="presence-flap") == []
    assert receiver.named("channel_vacated", channel="presence-flap") == []
    assert len(receiver.named("member_added", channel="presence-flap")) == 1
    assert len(receiver.named("channel_occupied", channel="presence-flap")) == 1
    again.close()
