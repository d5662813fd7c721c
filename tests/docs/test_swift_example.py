"""The Swift example (Tests/DocsExampleTests/Pusher.swift, shown on docs/examples/swift.md) against a
real server: its event reaches a subscriber, its auth strings open a private and a presence
channel, and it tells a genuine webhook signature from forged ones."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import subprocess

from websockets.sync.client import connect

from docs_support import APP_KEY, APP_SECRET, REPO_ROOT


def frames_until(ws, event: str, channel: str | None = None, timeout: float = 10) -> dict:
    """Read frames until `event` (on `channel`) arrives; fail at the deadline."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if frame["event"] == event and (channel is None or frame.get("channel") == channel):
            return frame


def test_the_swift_example_publishes_signs_auth_and_checks_webhooks(belfry):
    with connect(f"ws://127.0.0.1:{belfry.port}/app/{APP_KEY}?protocol=7&client=docs&version=1") as ws:
        established = frames_until(ws, "pusher:connection_established")
        socket_id = json.loads(established["data"])["socket_id"]
        ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "swift-news"}}))
        frames_until(ws, "pusher_internal:subscription_succeeded", "swift-news")

        body = json.dumps({"time_ms": 1, "events": [{"name": "channel_occupied", "channel": "swift-news"}]})
        signature = hmac.new(APP_SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
        done = subprocess.run(
            ["swift", "test", "--skip-build", "--filter", "DocsExampleTests"], cwd=REPO_ROOT, timeout=300,
            capture_output=True, text=True,
            env=belfry.env(DOCS_CHANNEL="swift-news", DOCS_SOCKET_ID=socket_id,
                           DOCS_PRIVATE_CHANNEL="private-swift", DOCS_PRESENCE_CHANNEL="presence-swift",
                           DOCS_WEBHOOK_BODY=body, DOCS_WEBHOOK_SIGNATURE=signature))
        output = done.stdout + done.stderr
        assert done.returncode == 0, output[-6000:]
        assert re.search(r"Test run with 3 tests .* passed", output) and "skipped" not in output, output[-3000:]
        assert "DOCS webhook-checked" in output

        greeting = frames_until(ws, "greeting", "swift-news")
        assert json.loads(greeting["data"]) == {"from": "swift"}

        private_auth = re.search(r"DOCS private-auth (\S+)", output)[1]
        ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "private-swift", "auth": private_auth}}))
        frames_until(ws, "pusher_internal:subscription_succeeded", "private-swift")

        auth, channel_data = re.search(r"DOCS presence-auth (\S+) (\{.*\})", output).groups()
        ws.send(json.dumps({"event": "pusher:subscribe",
                            "data": {"channel": "presence-swift", "auth": auth, "channel_data": channel_data}}))
        joined = frames_until(ws, "pusher_internal:subscription_succeeded", "presence-swift")
        assert json.loads(joined["data"])["presence"]["hash"] == {"swift-user": {"name": "Swift"}}
