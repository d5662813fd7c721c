"""Webhook delivery against a real HTTP receiver started by the test: Pusher's request format
(the official SDK's ``validate_webhook`` accepts every request), retries with backoff, batching,
filters, isolation of a dead endpoint, the durable outbox across a restart, and live removal of
an endpoint. Events are raised by real WebSocket clients; nothing sleeps to wait (polls with
deadlines)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pusher
import pytest
import requests
from websockets.sync.client import connect

from conftest import BELFRY_BIN, USER_EMAIL, USER_PASSWORD, USERS_MANIFEST, free_port, wait_until


# --------------------------------------------------------------------------------------
# The receiver
# --------------------------------------------------------------------------------------


class Receiver:
    """An HTTP server recording every POST. ``answers`` are the statuses of the next requests
    (then ``default``); ``hang`` holds requests open until the test ends."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers: deque[int] = deque()
        self.default = 200
        self.retry_after: str | None = None
        self.hang = False
        self.release = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    status = receiver.answers.popleft() if receiver.answers else receiver.default
                    hang = receiver.hang
                    record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                              "raw_headers": list(self.headers.items()), "body": body.decode(),
                              "status": 0 if hang else status, "at": time.monotonic()}
                    receiver.requests.append(record)
                if hang:
                    receiver.release.wait(60)
                    return
                self.send_response(status)
                if receiver.retry_after is not None and status >= 400:
                    self.send_header("Retry-After", receiver.retry_after)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def received(self, path: str | None = None, status: int | None = None) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if (path is None or r["path"] == path)
                    and (status is None or r["status"] == status)]

    def events(self, path: str | None = None, status: int | None = 200) -> list[dict]:
        return [e for r in self.received(path, status) for e in json.loads(r["body"])["events"]]

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


# --------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------


def app_manifest(name: str, app_id: str, webhooks: list[dict]) -> str:
    spec = {"id": app_id, "key": f"{name}-key", "secret": {"value": f"{name}-secret"}, "webhooks": webhooks}
    # JSON is YAML: the manifest without a YAML emitter.
    return json.dumps({"apiVersion": "belfry.dev/v1", "kind": "App", "metadata": {"name": name}, "spec": spec})


class Belfry:
    """``belfry serve`` on a manifest directory the test writes, restartable on the same data dir."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.config = tmp / "config"
        self.config.mkdir(exist_ok=True)
        self.data = tmp / "data"
        self.process: subprocess.Popen | None = None
        self.log = open(tmp / "server.log", "a")

    def write(self, *apps: tuple[str, str, list[dict]]) -> None:
        for old in self.config.glob("*.yaml"):
            old.unlink()
        for name, app_id, hooks in apps:
            (self.config / f"{name}.yaml").write_text(app_manifest(name, app_id, hooks) + "\n")
        (self.config / "users.yaml").write_text(USERS_MANIFEST)

    def start(self) -> "Belfry":
        self.port, self.admin_port = free_port(), free_port()
        self.process = subprocess.Popen(
            [str(BELFRY_BIN), "serve", "--source", str(self.config), "--host", "127.0.0.1", "--port", str(self.port),
             "--admin-port", str(self.admin_port), "--data-dir", str(self.data), "--interval", "1",
             "--log-format", "text", "--shutdown-grace", "2"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

        def ready() -> bool:
            assert self.process.poll() is None, "server exited:\n" + self.log_text()
            try:
                return requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=1).status_code == 200 and \
                    requests.get(f"http://127.0.0.1:{self.admin_port}/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        wait_until(ready, timeout=30, message="server ready")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            assert self.process.wait(timeout=20) == 0, self.log_text()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_text(self) -> str:
        self.log.flush()
        return (self.tmp / "server.log").read_text(errors="replace")[-6000:]

    def subscribe(self, key: str, *channels: str):
        ws = connect(f"ws://127.0.0.1:{self.port}/app/{key}?protocol=7", ping_interval=None, open_timeout=5)
        assert json.loads(ws.recv(timeout=5))["event"] == "pusher:connection_established"
        for channel in channels:
            ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": channel}}))
        pending = set(channels)
        while pending:
            message = json.loads(ws.recv(timeout=5))
            if message["event"] == "pusher_internal:subscription_succeeded":
                pending.discard(message["channel"])
        return ws

    def status_page(self, path: str) -> str:
        """A status page, signed in as the test user."""
        session = requests.Session()
        base = f"http://127.0.0.1:{self.admin_port}"
        token = re.search(r'name="csrf" value="([^"]*)"', session.get(base + "/login", timeout=5).text).group(1)
        session.post(base + "/login", data={"csrf": token, "email": USER_EMAIL, "password": USER_PASSWORD,
                                            "next": "/"}, allow_redirects=False, timeout=10)
        page = session.get(base + path, allow_redirects=False, timeout=10)
        assert page.status_code == 200, page.status_code
        return page.text

    def metric(self, name: str, app: str) -> float:
        text = requests.get(f"http://127.0.0.1:{self.admin_port}/metrics", timeout=5).text
        match = re.search(rf'^{re.escape(name)}\{{app="{re.escape(app)}"\}} (\S+)$', text, re.M)
        return float(match.group(1)) if match else 0.0


@pytest.fixture
def belfry(tmp_path: Path):
    server = Belfry(tmp_path)
    yield server
    server.kill()
    server.log.close()


def assert_pusher_format(receiver: Receiver, name: str, app_id: str) -> None:
    """Every request is valid for the official SDK with the app's credentials."""
    client = pusher.Pusher(app_id=app_id, key=f"{name}-key", secret=f"{name}-secret")
    requests_seen = receiver.received()
    assert requests_seen
    for request in requests_seen:
        headers = request["headers"]
        assert headers["content-type"] == "application/json"
        assert headers["user-agent"] == "Belfry"
        assert client.validate_webhook(headers["x-pusher-key"], headers["x-pusher-signature"], request["body"]), request


# websockets warns about connect() outside a with-block; these sockets are closed by hand.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

OCCUPIED = ["channel_occupied"]


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------


def test_channel_occupied_reaches_the_receiver_signed(belfry: Belfry, receiver: Receiver):
    belfry.write(("hooked", "3001", [{"url": receiver.url(), "events": OCCUPIED,
                                      "headers": {"X-Team": "blue"}}]))
    belfry.start()
    ws = belfry.subscribe("hooked-key", "news")
    try:
        wait_until(lambda: receiver.events(), timeout=10, message="a webhook")
        request = receiver.received()[0]
        body = json.loads(request["body"])
        assert body["events"] == [{"name": "channel_occupied", "channel": "news"}]
        assert abs(body["time_ms"] / 1000 - time.time()) < 30
        assert request["headers"]["x-pusher-key"] == "hooked-key"
        assert request["headers"]["x-team"] == "blue"
        assert [k for k, _ in request["raw_headers"] if k.lower() == "content-type"] != []
        assert_pusher_format(receiver, "hooked", "3001")
        wait_until(lambda: belfry.metric("belfry_webhooks_sent_total", "hooked") == 1, message="sent counter")
        assert belfry.metric("belfry_webhooks_delivery_seconds_count", "hooked") == 1
    finally:
        ws.close()


def test_retries_after_two_500s_deliver_once(belfry: Belfry, receiver: Receiver):
    receiver.answers.extend([500, 500])
    belfry.write(("retry", "3002", [{"url": receiver.url(), "events": OCCUPIED}]))
    belfry.start()
    ws = belfry.subscribe("retry-key", "once")
    try:
        wait_until(lambda: receiver.received(status=200), timeout=15, message="the third attempt")
        attempts = receiver.received()
        assert [r["status"] for r in attempts] == [500, 500, 200]
        assert all(json.loads(r["body"])["events"] == [{"name": "channel_occupied", "channel": "once"}]
                   for r in attempts)
        # Backoff: about 1 s, then about 2 s (±25 %).
        assert attempts[1]["at"] - attempts[0]["at"] >= 0.7
        assert attempts[2]["at"] - attempts[1]["at"] >= 1.4
        assert_pusher_format(receiver, "retry", "3002")
        wait_until(lambda: belfry.metric("belfry_webhooks_sent_total", "retry") == 1, message="sent counter")
        assert belfry.metric("belfry_webhooks_retried_total", "retry") == 2
        assert belfry.metric("belfry_webhooks_queued", "retry") == 0
        # The status page's Webhooks panel and /readyz tell the story.
        page = belfry.status_page("/apps/retry")
        panel = page[page.index('id="webhooks"'):]
        panel = panel[:panel.index("</table>")]
        assert receiver.url() in panel and "(500)" in panel and "never" not in panel, panel
        checks = requests.get(f"http://127.0.0.1:{belfry.port}/readyz?verbose", timeout=5).json()["checks"]
        assert checks["webhooks"]["status"] == "ok" and checks["webhooks"]["running"] is True
        # Delivered once: nothing else arrives.
        time.sleep(1.5)
        assert len(receiver.received()) == 3
    finally:
        ws.close()


def test_batched_endpoint_gets_several_events_per_request(belfry: Belfry, receiver: Receiver):
    belfry.write(("batch", "3003", [
        {"url": receiver.url("/batched"), "events": OCCUPIED, "batch": True},
        {"url": receiver.url("/single"), "events": OCCUPIED},
    ]))
    belfry.start()
    channels = [f"room-{i}" for i in range(20)]
    ws = belfry.subscribe("batch-key", *channels)
    try:
        wait_until(lambda: len(receiver.events("/batched")) == 20 and len(receiver.events("/single")) == 20,
                   timeout=15, message="20 events on each endpoint")
        batched = receiver.received("/batched")
        assert max(len(json.loads(r["body"])["events"]) for r in batched) > 1
        assert len(batched) < 20
        single = receiver.received("/single")
        assert len(single) == 20 and all(len(json.loads(r["body"])["events"]) == 1 for r in single)
        # A batch keeps the order the events happened in.
        assert [e["channel"] for e in receiver.events("/batched")] == channels
        assert sorted(e["channel"] for e in receiver.events("/single")) == sorted(channels)
        assert_pusher_format(receiver, "batch", "3003")
    finally:
        ws.close()


def test_a_filter_changes_what_is_sent(belfry: Belfry, receiver: Receiver):
    belfry.write(("filter", "3004", [
        {"url": receiver.url("/news"), "events": OCCUPIED, "filter": {"channelPrefix": "news-"}, "batch": True},
        {"url": receiver.url("/all"), "events": OCCUPIED, "batch": True},
    ]))
    belfry.start()
    ws = belfry.subscribe("filter-key", "news-1", "sport-1", "news-2")
    try:
        wait_until(lambda: len(receiver.events("/all")) == 3, timeout=10, message="3 events on /all")
        wait_until(lambda: len(receiver.events("/news")) == 2, timeout=10, message="2 events on /news")
        assert [e["channel"] for e in receiver.events("/news")] == ["news-1", "news-2"]
        assert_pusher_format(receiver, "filter", "3004")
        time.sleep(0.5)
        assert len(receiver.events("/news")) == 2
    finally:
        ws.close()


def test_a_dead_endpoint_does_not_delay_another_app(belfry: Belfry, receiver: Receiver):
    dead = Receiver()
    dead.hang = True
    try:
        belfry.write(("deadapp", "3005", [{"url": dead.url(), "events": OCCUPIED}]),
                     ("liveapp", "3006", [{"url": receiver.url(), "events": OCCUPIED}]))
        belfry.start()
        # Fill the dead endpoint's request slots and queue.
        ws_dead = belfry.subscribe("deadapp-key", *[f"d-{i}" for i in range(30)])
        wait_until(lambda: len(dead.received()) >= 1, timeout=10, message="the dead endpoint's first request")
        latencies = []
        sockets = []
        for i in range(5):
            started = time.monotonic()
            sockets.append(belfry.subscribe("liveapp-key", f"live-{i}"))
            wait_until(lambda: len(receiver.events()) == i + 1, timeout=5, message=f"live event {i}")
            latencies.append(time.monotonic() - started)
        print(f"live app's webhook latency with a dead endpoint configured: max {max(latencies) * 1000:.0f} ms")
        assert max(latencies) < 1.0
        assert len(dead.received()) <= 4  # 4 slots, then one probe at a time after the 10 s timeout
        assert_pusher_format(receiver, "liveapp", "3006")
        ws_dead.close()
        for ws in sockets:
            ws.close()
    finally:
        dead.close()


def test_queued_events_survive_a_restart(belfry: Belfry, receiver: Receiver):
    receiver.default = 503
    belfry.write(("durable", "3007", [{"url": receiver.url(), "events": OCCUPIED, "batch": True}]))
    belfry.start()
    channels = ["keep-1", "keep-2", "keep-3"]
    ws = belfry.subscribe("durable-key", *channels)
    wait_until(lambda: belfry.metric("belfry_webhooks_queued", "durable") == 3, timeout=10, message="3 queued")
    wait_until(lambda: receiver.received(status=503), timeout=10, message="a 503")
    ws.close()
    belfry.stop()
    assert not receiver.received(status=200)

    receiver.default = 200
    belfry.start()
    wait_until(lambda: {e["channel"] for e in receiver.events()} >= set(channels), timeout=15,
               message="the queued events after the restart")
    assert sorted(e["channel"] for e in receiver.events()) == channels
    assert_pusher_format(receiver, "durable", "3007")
    wait_until(lambda: belfry.metric("belfry_webhooks_queued", "durable") == 0, message="an empty queue")


def test_a_removed_endpoints_queue_is_dropped_and_counted(belfry: Belfry, receiver: Receiver):
    receiver.default = 503
    receiver.retry_after = "120"
    belfry.write(("removal", "3008", [{"url": receiver.url(), "events": OCCUPIED}]))
    belfry.start()
    ws = belfry.subscribe("removal-key", "gone-1", "gone-2")
    try:
        wait_until(lambda: belfry.metric("belfry_webhooks_queued", "removal") == 2, timeout=10, message="2 queued")
        belfry.write(("removal", "3008", []))
        wait_until(lambda: belfry.metric("belfry_webhooks_dropped_total", "removal") == 2, timeout=15,
                   message="2 dropped after the endpoint's removal")
        assert belfry.metric("belfry_webhooks_queued", "removal") == 0
        assert "its queued events are dropped" in belfry.log_text()
    finally:
        ws.close()


def test_connection_events_go_in_requests_of_their_own(belfry: Belfry, receiver: Receiver):
    belfry.write(("lifecycle", "3009", [{"url": receiver.url(), "events": [
        "channel_occupied", "connection_opened", "connection_closed"]}]))
    belfry.start()
    sockets = [belfry.subscribe("lifecycle-key", f"life-{i}") for i in range(6)]
    for ws in sockets:
        ws.close()
    names = lambda: [e["name"] for e in receiver.events()]  # noqa: E731
    wait_until(lambda: names().count("connection_closed") == 6, timeout=10, message="6 connection_closed")
    assert names().count("connection_opened") == 6 and names().count("channel_occupied") == 6
    for request in receiver.received():
        events = json.loads(request["body"])["events"]
        kinds = {e["name"].startswith("connection_") for e in events}
        # The endpoint is not batched: a channel event alone, connection events among themselves.
        assert kinds == {True} or len(events) == 1, events
    closed = [e for e in receiver.events() if e["name"] == "connection_closed"]
    assert all(e["socket_id"] and "close_code" in e for e in closed), closed
    assert_pusher_format(receiver, "lifecycle", "3009")
