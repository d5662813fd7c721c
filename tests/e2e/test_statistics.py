"""Honest statistics (issue 12): bytes as they crossed the wire, the drain's disconnections, every
app at once, unknown apps refused, relative times as the README writes them, and busy times.

The byte test speaks raw bytes on both the WebSocket and the HTTP API, adds up the exact frame
sizes (RFC 6455 headers: 2 bytes below 126 bytes of payload, 4 below 65,536, plus the client's
4-byte mask) and the exact HTTP bytes, and compares with what the server counted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import shutil
import socket
import struct
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import BELFRY_BIN, REPO_ROOT, masked_frame
from test_reconcile import Served, poll

TIMEOUT = 5.0


def frame_size(payload: int, masked: bool) -> int:
    """The size of a whole WebSocket frame with ``payload`` bytes (RFC 6455 §5.2)."""
    header = 2 if payload < 126 else 4 if payload < 65536 else 10
    return header + (4 if masked else 0) + payload


class Tally:
    """A raw WebSocket client that keeps two sums: the frame sizes computed from the payloads it
    sent and received, and the bytes that really crossed its socket after the 101 response."""

    def __init__(self, port: int, path: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
                           ).encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self._more()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head
        self.wire_in = len(self.buf)  # bytes received after the handshake
        self.wire_out = 0
        self.expected_in = 0  # what the server should count as received
        self.expected_out = 0  # and as sent

    def _more(self) -> bool:
        chunk = self.sock.recv(65536)
        if hasattr(self, "wire_in"):
            self.wire_in += len(chunk)
        self.buf += chunk
        return bool(chunk)

    def send(self, opcode: int, payload: bytes) -> None:
        data = masked_frame(opcode, payload)
        self.sock.sendall(data)
        self.wire_out += len(data)
        self.expected_in += frame_size(len(payload), masked=True)

    def recv(self) -> tuple[int, bytes]:
        while True:
            if len(self.buf) >= 2:
                n = self.buf[1] & 0x7F
                offset = 2
                if n == 126 and len(self.buf) >= 4:
                    n, offset = struct.unpack("!H", self.buf[2:4])[0], 4
                elif n == 127 and len(self.buf) >= 10:
                    n, offset = struct.unpack("!Q", self.buf[2:10])[0], 10
                if (self.buf[1] & 0x7F) in (126, 127) and offset == 2:
                    n = -1
                if n >= 0 and len(self.buf) >= offset + n:
                    assert not self.buf[1] & 0x80, "server frames are not masked"
                    opcode, payload = self.buf[0] & 0x0F, self.buf[offset:offset + n]
                    self.buf = self.buf[offset + n:]
                    self.expected_out += frame_size(len(payload), masked=False)
                    return opcode, payload
            assert self._more(), "connection closed"

    def event(self) -> dict:
        opcode, payload = self.recv()
        assert opcode == 1, (opcode, payload)
        return json.loads(payload)

    def send_json(self, message: dict) -> None:
        self.send(1, json.dumps(message).encode())

    def close(self) -> None:
        self.send(8, struct.pack("!H", 1000))
        opcode, payload = self.recv()
        assert opcode == 8 and payload[:2] == struct.pack("!H", 1000)
        while self._more():
            pass
        self.sock.close()


def signed_event(port: int, channel: str) -> bytes:
    """A raw, signed `POST /apps/1001/events` that closes the connection after the response."""
    body = json.dumps({"name": "tick", "channels": [channel], "data": json.dumps({"n": 1})}).encode()
    params = {"auth_key": "chat-key", "auth_timestamp": str(int(time.time())), "auth_version": "1.0",
              "body_md5": hashlib.md5(body).hexdigest()}
    query = "&".join(f"{k}={params[k]}" for k in sorted(params))
    signature = hmac.new(b"chat-secret", f"POST\n/apps/1001/events\n{query}".encode(), hashlib.sha256).hexdigest()
    return (f"POST /apps/1001/events?{query}&auth_signature={signature} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            ).encode() + body


def exchange_http(port: int, request: bytes) -> bytes:
    """Sends ``request`` and returns every byte of the response, read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    assert response.startswith(b"HTTP/1.1 200"), response
    return response


def stats(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BELFRY_BIN), "stats", "--data-dir", str(data), *args],
                          capture_output=True, text=True, timeout=30)


def examples(tmp_path: Path) -> Path:
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "examples" / "config", config)
    return config


def test_bytes_are_every_frame_with_its_header_and_every_http_api_byte(tmp_path: Path):
    served = Served(tmp_path, examples(tmp_path), "--stats-interval", "3600")
    try:
        ws = Tally(served.port, "/app/chat-key?protocol=7&client=tally&version=1")
        assert ws.event()["event"] == "pusher:connection_established"
        ws.send_json({"event": "pusher:subscribe", "data": {"channel": "news"}})
        assert ws.event()["event"] == "pusher_internal:subscription_succeeded"
        long_channel = "long-" + "x" * 150  # a subscribe and an ack of 126+ bytes: 4-byte headers
        ws.send_json({"event": "pusher:subscribe", "data": {"channel": long_channel}})
        ack = ws.event()
        assert ack["event"] == "pusher_internal:subscription_succeeded" and len(json.dumps(ack)) >= 126
        ws.send_json({"event": "pusher:ping", "data": {}})
        assert ws.event()["event"] == "pusher:pong"
        ws.send(9, b"hello")  # a WebSocket ping, answered by a pong frame
        assert ws.recv() == (10, b"hello")
        ws.send(1, b"not json")
        assert ws.event()["event"] == "pusher:error"
        ws.send(2, b"\x00\x01")  # binary frames are refused with an error
        assert ws.event()["event"] == "pusher:error"

        request = signed_event(served.port, "news")
        response = exchange_http(served.port, request)
        assert ws.event()["event"] == "tick"
        ws.close()

        # The exact sums agree with the bytes the socket carried (the test's own arithmetic).
        assert (ws.expected_in, ws.expected_out) == (ws.wire_out, ws.wire_in)
        expected_in = ws.expected_in + len(request)
        expected_out = ws.expected_out + len(response)

        def chat():
            apps = {a["metadata"]["name"]: a["status"] for a in served.admin("GET", "/api/v1/apps").json()["apps"]}
            return apps["chat"] if apps["chat"]["connections"] == 0 else None

        counted = poll(chat)
        assert (counted["bytesIn"], counted["bytesOut"]) == (expected_in, expected_out), counted
        assert (counted["httpBytesIn"], counted["httpBytesOut"]) == (len(request), len(response))
        print(f"frames in {ws.expected_in} B, out {ws.expected_out} B; http in {len(request)} B, "
              f"out {len(response)} B; counted {counted['bytesIn']} B in, {counted['bytesOut']} B out")
    finally:
        served.stop()
    out = stats(served.data, "--app", "chat", "--by", "day", "--format", "json")
    assert out.returncode == 0, out.stderr
    totals = json.loads(out.stdout)["totals"]
    assert (totals["bytesIn"], totals["bytesOut"]) == (expected_in, expected_out)


def test_disconnections_of_the_drain_are_recorded_before_exit(tmp_path: Path):
    """An hour between flushes: only the last flush, after the drain, can record the 4200s."""
    served = Served(tmp_path, examples(tmp_path), "--stats-interval", "3600")
    clients = [served.connect("chat-key")[0] for _ in range(3)]
    served.stop()
    for ws in clients:
        ws.close()
    out = stats(served.data, "--app", "chat", "--by", "day", "--format", "json")
    assert out.returncode == 0, out.stderr
    totals = json.loads(out.stdout)["totals"]
    assert totals["newConnections"] == 3
    assert totals["disconnections"] == {"4200": 3}, (tmp_path / "server.log").read_text()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """A data directory with traffic on chat (2 connections, 3 events) and dashboard (1 API call)."""
    import pusher

    tmp = tmp_path_factory.mktemp("recorded")
    served = Served(tmp, examples(tmp), "--stats-interval", "3600")
    try:
        clients = [served.connect("chat-key")[0] for _ in range(2)]
        for ws in clients:
            ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "news"}}))
            ws.recv(timeout=TIMEOUT)
        chat = pusher.Pusher(app_id="1001", key="chat-key", secret="chat-secret", host="127.0.0.1",
                             port=served.port, ssl=False)
        for i in range(3):
            chat.trigger("news", "tick", {"i": i})
        for ws in clients:
            for _ in range(3):
                ws.recv(timeout=TIMEOUT)
        dashboard = pusher.Pusher(app_id="1002", key="dashboard-key", secret="dashboard-secret",
                                  host="127.0.0.1", port=served.port, ssl=False)
        dashboard.trigger("status", "update", {})
        for ws in clients:
            ws.close()
    finally:
        served.stop()
    return served.data


def test_every_app_and_their_total_with_relative_and_iso_times(recorded: Path):
    out = stats(recorded, "--from", "-24h", "--format", "json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    apps = {r["app"]: r["totals"] for r in report["apps"]}
    assert sorted(apps) == ["chat", "dashboard", "legacy-game"]
    assert apps["chat"]["messagesDelivered"] == 6 and apps["dashboard"]["apiRequests"] == {"POST events 200": 1}
    total = report["total"]
    assert total["app"] == "*"
    for key in ("bytesIn", "bytesOut", "newConnections", "messagesDelivered"):
        assert total["totals"][key] == sum(t[key] for t in apps.values())
    assert total["peak"]["connections"] == 2

    table = stats(recorded, "--from", "-24h")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    for name in ("app ", "chat ", "dashboard ", "legacy-game ", "total "):
        assert any(line.startswith(name) for line in lines), table.stdout
    assert "peak usage, all apps: 2 connections" in table.stdout

    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for spelling in (["--from=-24h"], ["--from", yesterday], ["--app", "chat", "--from", "-1d", "--to", "now"]):
        again = stats(recorded, *spelling, "--format", "json")
        assert again.returncode == 0, (spelling, again.stderr)
    csv = stats(recorded, "--from", "-24h", "--format", "csv").stdout.splitlines()
    assert csv[0].split(",")[:2] == ["app", "periodStart"]
    assert set(csv[0].split(",")[1:]) == set(report["apps"][0]["totals"]) | {"periodStart"}


def test_an_unknown_app_exits_1_naming_the_apps(recorded: Path):
    out = stats(recorded, "--app", "nosuch")
    assert out.returncode == 1, out
    assert "nosuch" in out.stderr and "chat, dashboard, legacy-game" in out.stderr
    assert out.stdout == ""
    idle = stats(recorded, "--app", "legacy-game")  # configured and disabled: zeros, not an error
    assert idle.returncode == 0 and idle.stdout.startswith("legacy-game by hour"), idle


def test_the_profile_names_the_busy_hour_and_day(recorded: Path):
    out = stats(recorded, "--profile", "--app", "chat", "--format", "json")
    assert out.returncode == 0, out.stderr
    profile = json.loads(out.stdout)
    assert len(profile["slots"]) == 24 + 7
    hour = profile["busiestHour"]
    now = datetime.now(timezone.utc)
    recent = {(now - timedelta(minutes=m)).strftime("%H:00") for m in (0, 5)}
    assert hour["profile"] == "hourOfDay" and hour["slot"] in recent and hour["peakConnections"] == 2
    assert profile["busiestDay"]["slot"] in {(now - timedelta(minutes=m)).strftime("%a") for m in (0, 5)}
    assert hour["messagesDeliveredPerHour"] == 6.0
    csv = stats(recorded, "--profile", "--app", "chat", "--format", "csv").stdout.splitlines()
    assert csv[0].split(",") == list(hour)
    table = stats(recorded, "--profile", "--from", "-7d")
    assert table.returncode == 0, table.stderr
    assert table.stdout.startswith("all apps: busy times (UTC)")
    assert f"busiest hour of day: {hour['slot']} UTC, 2 connections at peak" in table.stdout
