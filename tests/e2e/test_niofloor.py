"""bench/niofloor: the floors of bench/compare.sh --floor speak what wsload asks of a Pusher server.

Both engines are checked: NIO's (server "floor") and the one on epoll(7) without NIO (server
"epoll"). Their figures in BENCHMARKS.md are only worth something if they do the same work for the
client as Belfry: a real upgrade (a valid Sec-WebSocket-Accept, checked by the `websockets`
client), `connection_established`, an answer to the subscribe, pings after silence, and the HTTP
publish delivered to every open WebSocket.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterable

import pytest
from websockets.sync.client import connect

from conftest import BELFRY_BIN, free_port, wait_until

FLOOR_BIN = BELFRY_BIN.parent / "niofloor"


@pytest.fixture(params=["nio", "epoll"])
def floor(request: pytest.FixtureRequest) -> Iterable[int]:
    port = free_port()
    process = subprocess.Popen([str(FLOOR_BIN), "--engine", request.param, "--port", str(port), "--ping", "1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def listening() -> bool:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    wait_until(listening, timeout=20)
    yield port
    process.terminate()
    process.wait(timeout=10)


def test_the_floor_upgrades_answers_the_subscribe_pings_and_fans_out_a_publish(floor: int):
    url = f"ws://127.0.0.1:{floor}/app/app-key?protocol=7&client=test&version=1"
    with connect(url, open_timeout=10) as first, connect(url, open_timeout=10) as second:
        for ws in (first, second):
            hello = json.loads(ws.recv(timeout=5))
            assert hello["event"] == "pusher:connection_established"
            assert json.loads(hello["data"])["activity_timeout"] == 1
            ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "bench"}}))
            assert json.loads(ws.recv(timeout=5))["event"] == "pusher_internal:subscription_succeeded"

        # Silence past --ping 1: a pusher:ping (the wheel is swept every 100 ms).
        assert json.loads(first.recv(timeout=5)) == {"event": "pusher:ping", "data": {}}
        first.send(json.dumps({"event": "pusher:pong", "data": {}}))

        # A publish reaches every open WebSocket, body as sent; the publisher gets 200 {}.
        body = json.dumps({"name": "bench", "channel": "bench", "data": "@T0000000000000001"}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{floor}/apps/app-id/events", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200 and response.read() == b"{}"
        for ws in (first, second):
            deadline = time.monotonic() + 5
            while (frame := ws.recv(timeout=max(0.01, deadline - time.monotonic()))) != body.decode():
                assert json.loads(frame)["event"] == "pusher:ping", frame  # only pings may come between
