"""Hardening: what a hostile client, a broken app, a full disk, a silent git remote or a local
user could do to a node, tried for real. Each test is one attack from the hardening issue and
fails on a server without the defence."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import struct
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest
import requests

from conftest import _ALL_SERVERS, APPS, BELFRY_BIN, Api, BelfryServer, RawWsClient, WsClient, masked_frame, wait_until


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


class Custom(BelfryServer):
    """A server owned by one test, with a command prefix (prlimit), another source or flags."""

    def __init__(self, name: str, root: Path, *, prefix: Iterable[str] = (), source: str | None = None,
                 extra: Iterable[str] = (), data_dir: Path | None = None, **kw: Any) -> None:
        self.prefix = list(prefix)
        self.source = source
        self.extra = list(extra)
        super().__init__(name, root, session=False, **kw)
        if data_dir is not None:
            self.data_dir = data_dir

    def command(self) -> list[str]:
        cmd = super().command()
        if self.source is not None:
            cmd[cmd.index("--source") + 1] = self.source
        return self.prefix + cmd + self.extra

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}"

    def token(self) -> str:
        return (self.data_dir / "admin-token").read_text().strip()

    def admin(self, method: str, path: str, **kw: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token()}", **kw.pop("headers", {})}
        return requests.request(method, self.admin_url + path, headers=headers, timeout=10, **kw)


@pytest.fixture
def custom(_tmp_root: Path) -> Iterable[Callable[..., Custom]]:
    own: list[Custom] = []

    def make(start: bool = True, **kw: Any) -> Custom:
        root = _tmp_root / f"hard-{uuid.uuid4().hex[:8]}"
        root.mkdir()
        srv = Custom(f"hard-{root.name}", root, **kw)
        own.append(srv)
        return srv.start() if start else srv

    yield make
    for srv in own:
        srv.kill()
        if srv in _ALL_SERVERS:
            _ALL_SERVERS.remove(srv)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def signed_trigger(srv: BelfryServer, app_id: str, key: str, secret: str) -> int:
    """The status of one signed publish with that secret."""
    from conftest import Api

    app = next(a for a in APPS.values() if a.id == app_id)
    return Api(srv, app).trigger({"name": "hello", "channel": "news", "data": "{}"}, secret=secret).status_code


class SilentRemote:
    """A TCP server that accepts connections and never says a word (a hung git host)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.accepted = threading.Event()
        self.stop = False
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.held.append(conn)
            self.accepted.set()

    def close(self) -> None:
        self.stop = True
        for c in self.held:
            c.close()
        self.sock.close()


def raw_frame(opcode: int, payload: bytes, *, masked: bool = True, rsv: int = 0, fin: bool = True) -> bytes:
    head = bytes([(0x80 if fin else 0) | rsv << 4 | opcode])
    n = len(payload)
    length = bytes([n]) if n < 126 else bytes([126]) + struct.pack("!H", n)
    if not masked:
        return head + length + payload
    mask = os.urandom(4)
    return head + bytes([0x80 | length[0]]) + length[1:] + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def close_code_of(client: RawWsClient, timeout: float = 5.0) -> int | None:
    """Reads frames until the server's close frame; its code (None at EOF without one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = client.read_frame(timeout=max(0.1, deadline - time.monotonic()))
        if frame is None:
            return None
        opcode, payload = frame
        if opcode == 8:
            return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
    raise AssertionError("no close frame")


# --------------------------------------------------------------------------------------
# one client cannot take the node down
# --------------------------------------------------------------------------------------


def test_ping_flood_from_a_client_that_never_reads_is_bounded(custom):
    srv = custom()
    pid = srv.proc.pid
    before = rss_kb(pid)
    flooder = RawWsClient(srv.port, "/app/main-key?protocol=7")
    burst = masked_frame(9, b"p" * 125) * 256
    flooder.sock.settimeout(1.0)
    sent, outcome = 0, "still sending"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            flooder.sock.sendall(burst)
            sent += len(burst)
        except socket.timeout:
            outcome = "stalled"  # the server stopped reading: its answers are not drained
            break
        except (BrokenPipeError, ConnectionResetError):
            outcome = "closed"
            break
    grown_mb = (rss_kb(pid) - before) / 1024
    print(f"ping flood: {sent / 1e6:.1f} MB of pings sent, {outcome}, server RSS +{grown_mb:.1f} MB")
    assert outcome in ("stalled", "closed"), f"the server kept reading {sent / 1e6:.0f} MB of pings"
    assert grown_mb < 40, f"server RSS grew by {grown_mb:.0f} MB under a ping flood"
    # Another app's client is served meanwhile.
    other = WsClient(srv.ws_url("noclient-key"), APPS["noclient"])
    other.handshake()
    other.ping_pong()
    other.close()


def test_a_subscriber_that_never_reads_is_closed_with_4100_and_the_others_get_every_event(custom):
    """Fan-out goes through the same outbound budget as every write: a subscriber that stops
    reading is closed with 4100 (counted as `outbound budget`) once its backlog passes the bound,
    instead of being buffered for; a subscriber of the same channel that reads gets every event."""
    srv = custom()
    api = Api(srv, APPS["main"])
    stalled = RawWsClient(srv.port, "/app/main-key?protocol=7")
    opcode, payload = stalled.read_frame()
    assert opcode == 1 and b"pusher:connection_established" in payload, payload
    stalled.sock.sendall(masked_frame(1, json.dumps({"event": "pusher:subscribe", "data": {"channel": "firehose"}}).encode()))
    while b"pusher_internal:subscription_succeeded" not in (stalled.read_frame() or (0, b""))[1]:
        pass
    reader = WsClient(srv.ws_url("main-key"), APPS["main"])
    reader.handshake()
    reader.subscribe("firehose")
    received: list[int] = []
    stop = threading.Event()

    def read_all() -> None:
        while not stop.is_set():
            try:
                frame = reader.wait_for("big", "firehose", timeout=0.5)
            except AssertionError:
                continue
            received.append(json.loads(frame["data"])["n"])

    reading = threading.Thread(target=read_all, daemon=True)
    reading.start()
    # 9 KB events, 10 per request, until the stalled one is closed (the bound is 1 MiB past the
    # socket's buffers; at most 60 MB are sent).
    data = "x" * 9000
    sent = 0
    closed = False
    while sent < 6600 and not closed:
        batch = [{"name": "big", "channel": "firehose", "data": json.dumps({"n": sent + i, "pad": data})}
                 for i in range(10)]
        answer = api.request("POST", api.path("batch_events"), body={"batch": batch})
        assert answer.status_code == 200, answer.text
        sent += 10
        if sent % 200 == 0:
            closed = 'reason="outbound budget"' in requests.get(f"{srv.admin_url}/metrics", timeout=5).text
    assert closed, f"{sent} events ({sent * 9 / 1000:.0f} MB) and the subscriber that never reads is still open"
    # Reading again (within the 5 s close handshake) it finds the events it was sent, then 4100.
    assert close_code_of(stalled, timeout=30) == 4100
    wait_until(lambda: len(received) == sent, timeout=30, message=f"the reading subscriber to get all {sent}")
    stop.set()
    reading.join(timeout=10)
    assert received == list(range(sent)), "the reading subscriber got every event, in order"
    reader.ping_pong()


def test_the_outbound_backlog_bound_is_the_flag_s(custom):
    """`--max-outbound-backlog` sets the bound a client that does not read meets: the close frame
    names it, and a bound below 64 KiB (here from the environment) is refused at start with what
    is wrong."""
    srv = custom(extra=["--max-outbound-backlog", "65536"])
    api = Api(srv, APPS["main"])
    stalled = RawWsClient(srv.port, "/app/main-key?protocol=7")
    assert b"pusher:connection_established" in stalled.read_frame()[1]
    stalled.sock.sendall(masked_frame(1, json.dumps({"event": "pusher:subscribe", "data": {"channel": "drip"}}).encode()))
    while b"pusher_internal:subscription_succeeded" not in (stalled.read_frame() or (0, b""))[1]:
        pass
    data = "x" * 9000
    sent, closed = 0, False
    while sent < 6600 and not closed:
        batch = [{"name": "big", "channel": "drip", "data": data} for _ in range(10)]
        assert api.request("POST", api.path("batch_events"), body={"batch": batch}).status_code == 200
        sent += 10
        if sent % 100 == 0:
            closed = 'reason="outbound budget"' in requests.get(f"{srv.admin_url}/metrics", timeout=5).text
    assert closed, f"{sent} events sent and the subscriber that never reads is still open"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        frame = stalled.read_frame(timeout=max(0.1, deadline - time.monotonic()))
        assert frame is not None, "the connection ended without a close frame"
        if frame[0] == 8:
            break
    else:
        raise AssertionError("no close frame")
    code, reason = struct.unpack("!H", frame[1][:2])[0], frame[1][2:].decode()
    assert (code, reason) == (4100, "Outbound backlog exceeded 65536 bytes; the client is not reading")

    config = Path(__file__).resolve().parents[2] / "examples" / "config"
    refused = subprocess.run(
        [str(BELFRY_BIN), "serve", "--source", str(config), "--port", "0", "--admin-port", "0",
         "--data-dir", str(srv.data_dir) + "-refused"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "BELFRY_MAX_OUTBOUND_BACKLOG": "4096"})
    assert refused.returncode != 0
    assert "--max-outbound-backlog must be an integer in 65536...1073741824, got 4096" in refused.stderr, refused.stderr


def test_one_connection_cannot_subscribe_to_unbounded_channels(ws, uniq):
    client = ws("main")
    prefix = uniq("flood")
    for i in range(200):
        client.subscribe_raw(f"{prefix}-{i}")
    for i in range(200):
        client.wait_succeeded(f"{prefix}-{i}")
    # The subscription rate (100/s, a burst of 200) is spent too when a fast server has answered
    # all of the above within 10 ms: that refusal names the rate (pusher:error 4301), and the
    # subscribe is sent again until a token has come back and the channel limit answers.
    deadline = time.monotonic() + 5
    while True:
        client.subscribe_raw(f"{prefix}-200")
        sub_err = client.wait_for("pusher:subscription_error", f"{prefix}-200")
        err = client.wait_for("pusher:error")
        if err["data"].get("code") is None:
            break
        assert "Subscription rate limit" in err["data"]["message"] and time.monotonic() < deadline, err
    assert sub_err["data"]["type"] == "LimitReached" and sub_err["data"]["status"] == 429, sub_err
    assert "at most 200 channels" in sub_err["data"]["error"], sub_err
    # Leaving one makes room for one; the rate may refuse it first, as above.
    client.send({"event": "pusher:unsubscribe", "data": {"channel": f"{prefix}-0"}})
    deadline = time.monotonic() + 5
    while True:
        client.subscribe_raw(f"{prefix}-200")
        try:
            client.wait_for("pusher_internal:subscription_succeeded", f"{prefix}-200",
                            fail_if=lambda f: f.get("event") == "pusher:subscription_error")
            break
        except AssertionError as refused:
            assert "Subscription rate limit" in str(refused) and time.monotonic() < deadline, refused


def test_descriptor_exhaustion_keeps_probes_and_the_admin_port_answering(custom):
    srv = custom(prefix=["prlimit", "--nofile=256:256", "--"])
    hoard: list[socket.socket] = []
    try:
        for _ in range(300):
            try:
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=2)
            except OSError:
                break
            hoard.append(s)
        # The sockets past the budget are answered and closed by the server; ours hold the rest.
        # The server accepts them asynchronously: wait until it has seen the flood.
        wait_until(lambda: requests.get(f"{srv.admin_url}/readyz", timeout=5).status_code == 503, timeout=10,
                   message="the admin /readyz reports the exhaustion")
        ready = requests.get(f"{srv.admin_url}/readyz", timeout=5)
        assert "descriptors exhausted" in ready.json()["checks"]["capacity"]
        assert requests.get(f"{srv.admin_url}/healthz", timeout=5).status_code == 200
        # Past the hard limit the public port still answers probes once the sockets that sent
        # nothing within a second are gone (the admin port never depends on that).
        def public(path: str) -> tuple[int, str] | None:
            try:
                response = requests.get(f"{srv.http_url}{path}", timeout=5)
            except requests.ConnectionError:
                return None
            return response.status_code, response.text

        assert wait_until(lambda: public("/healthz"), timeout=5) == (200, '{"status":"ok"}')
        assert wait_until(lambda: public("/readyz"), timeout=5)[0] == 503
        # A WebSocket upgrade is refused with 503 rather than taking the last descriptors.
        upgrade = requests.get(f"{srv.http_url}/app/main-key?protocol=7", timeout=5, headers={
            "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
        assert upgrade.status_code == 503
        # The reconciler can still read its source and the database.
        assert srv.admin("POST", "/api/v1/reconcile").status_code == 202
        wait_until(lambda: srv.admin("GET", "/api/v1/reconcile").json()["history"][0]["trigger"] == "manual",
                   timeout=10, message="a manual pass recorded")
        assert srv.admin("GET", "/api/v1/reconcile").json()["history"][0]["result"] == "noChange"
        metrics = requests.get(f"{srv.admin_url}/metrics", timeout=5).text
        assert re.search(r"^belfry_refused_sockets_total [1-9]", metrics, re.M), metrics
    finally:
        for s in hoard:
            s.close()
    # Pressure is remembered for 10 s after the last refusal, then the node is ready again.
    wait_until(lambda: requests.get(f"{srv.http_url}/readyz", timeout=5).status_code == 200, timeout=20,
               message="ready again")
    client = WsClient(srv.ws_url("main-key"), APPS["main"])
    client.handshake()
    client.close()


def test_every_way_a_connection_ends_gives_its_descriptor_back(custom):
    """Each accepted socket counts in the descriptor budget until it closes, however it ends: the
    handler in its pipeline (HTTP, then the session it upgraded to) gives the descriptor back."""
    srv = custom()

    def sockets() -> int:
        text = requests.get(f"{srv.admin_url}/metrics", timeout=5).text
        return int(float(re.search(r"^belfry_public_sockets (\S+)", text, re.M).group(1)))

    # The readiness probe's socket is closed by its client before the server has seen it go, so
    # a count taken at once can still include it: start from a server that holds none.
    wait_until(lambda: sockets() == 0, timeout=10, message="the readiness probe's socket given back")
    before = 0
    held: list[socket.socket] = []
    for _ in range(3):  # plain HTTP, kept alive
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
        held.append(s)
    sessions = [RawWsClient(srv.port, "/app/main-key?protocol=7") for _ in range(6)]
    refused = [RawWsClient(srv.port, "/app/no-such-key?protocol=7") for _ in range(2)]  # 4001 after the upgrade
    wait_until(lambda: sockets() == before + 11, timeout=10, message="every socket counted while open")
    for s in held:
        s.close()
    for client in sessions[:2]:  # the client just goes
        client.sock.close()
    for client in sessions[2:4]:  # a closing handshake
        client.sock.sendall(raw_frame(8, struct.pack("!H", 1000)))
        assert close_code_of(client) == 1000
        client.sock.close()
    for client in sessions[4:]:  # a broken rule: the server closes with 1002
        client.sock.sendall(raw_frame(1, b"{}", masked=False))
        assert close_code_of(client) == 1002
        client.sock.close()
    for client in refused:
        assert close_code_of(client) == 4001
        client.sock.close()
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)  # refused before the upgrade
    s.sendall(b"GET /app/main-key?protocol=7 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
              b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n")
    assert s.recv(4096).startswith(b"HTTP/1.1 426")
    s.close()
    wait_until(lambda: sockets() == before, timeout=10, message="every descriptor given back")


# --------------------------------------------------------------------------------------
# a silent git remote
# --------------------------------------------------------------------------------------


def test_silent_git_remote_is_bounded_at_startup_without_a_saved_configuration(tmp_path):
    remote = SilentRemote()
    try:
        started = time.monotonic()
        out = subprocess.run(
            [str(BELFRY_BIN), "serve", "--source", f"http://127.0.0.1:{remote.port}/config.git", "--port", "0",
             "--admin-port", "0", "--data-dir", str(tmp_path / "data"), "--git-timeout", "2",
             "--log-format", "text"],
            capture_output=True, text=True, timeout=60, cwd=tmp_path)
        elapsed = time.monotonic() - started
    finally:
        remote.close()
    assert out.returncode == 1, out.stderr
    assert "did not finish within 2" in out.stderr and "--git-timeout" in out.stderr, out.stderr
    assert elapsed < 20, f"took {elapsed:.1f}s"


def test_silent_git_remote_never_blocks_start_or_shutdown(custom):
    first = custom()  # a directory source leaves a last applied configuration in the data dir
    assert first.stop() == 0
    remote = SilentRemote()
    url = f"http://git:SECRETTOKEN123@127.0.0.1:{remote.port}/config.git"
    try:
        srv = custom(start=False, source=url, data_dir=first.data_dir, shutdown_grace=3,
                     extra=["--git-timeout", "60"])
        started = time.monotonic()
        srv.start()
        assert time.monotonic() - started < 15
        # It serves the last applied configuration while the fetch hangs.
        client = WsClient(srv.ws_url("main-key"), APPS["main"])
        client.handshake()
        assert remote.accepted.wait(10), "the fetch never reached the remote"
        # The token never reaches the mirror's config, argv, or a readable file.
        config = srv.data_dir / "git" / "source" / "config"
        wait_until(config.exists, timeout=10, message="mirror created")
        assert "SECRETTOKEN123" not in config.read_text()
        for proc in Path("/proc").iterdir():
            try:
                cmdline = (proc / "cmdline").read_bytes() if proc.name.isdigit() else b""
            except OSError:
                continue
            if b"git-fetch" in cmdline:  # the fetch's child process: credentials via its environment only
                assert b"SECRETTOKEN123" not in cmdline
        for path in [srv.data_dir, *srv.data_dir.rglob("*")]:
            assert path.stat().st_mode & 0o077 == 0, f"{path} is {oct(path.stat().st_mode)}"
        # SIGTERM drains within the grace period although a fetch is stuck.
        stopping = time.monotonic()
        srv.terminate()
        assert client.wait_closed(timeout=10) == 4200
        srv.proc.wait(timeout=3 + 10)
        assert time.monotonic() - stopping < 3 + 5, f"shutdown took {time.monotonic() - stopping:.1f}s"
        assert srv.proc.returncode == 0, srv.log_tail()
    finally:
        remote.close()


# --------------------------------------------------------------------------------------
# durable before live: a full disk never brings a revoked secret back
# --------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterable[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"this test needs a small tmpfs (root, mount): {result.stderr.strip()}", pytrace=False)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_rotation_that_cannot_be_saved_never_goes_live_and_the_old_secret_never_returns(custom, small_disk):
    data = small_disk / "data"
    srv = custom(data_dir=data, extra=["--interval", "3600", "--stats-interval", "3600"])
    main = APPS["main"]
    assert signed_trigger(srv, main.id, main.key, "main-secret") == 200
    filler = fill(small_disk)
    # Rotate main's secret, and add an app large enough that SQLite needs new pages.
    manifest = srv.config_dir / "main.yaml"
    manifest.write_text(manifest.read_text().replace("main-secret", "rotated-secret"))
    origins = ", ".join(f'"host-{i}-{"x" * 40}.example.com"' for i in range(1500))
    (srv.config_dir / "big.yaml").write_text(
        "apiVersion: belfry.dev/v1\nkind: App\nmetadata:\n  name: big\nspec:\n  id: \"9999\"\n  key: big-key\n"
        f"  secret: {{ value: big-secret }}\n  allowedOrigins: [{origins}]\n")
    assert srv.admin("POST", "/api/v1/reconcile").status_code == 202
    wait_until(lambda: srv.admin("GET", "/api/v1/reconcile").json()["lastResult"] == "failed", timeout=15,
               message="the pass fails to save")
    assert signed_trigger(srv, main.id, main.key, "main-secret") == 200
    assert signed_trigger(srv, main.id, main.key, "rotated-secret") == 401
    ready = requests.get(f"{srv.http_url}/readyz", timeout=5)
    assert ready.status_code == 200, ready.text  # it still serves: shown, not pulled
    assert "not applied" in ready.json()["checks"]["reconcile"], ready.text
    # Space again: the retried pass saves, then applies.
    filler.unlink()
    assert srv.admin("POST", "/api/v1/reconcile").status_code == 202
    wait_until(lambda: srv.admin("GET", "/api/v1/reconcile").json()["lastResult"] == "applied", timeout=15,
               message="the pass applies once it can save")
    assert signed_trigger(srv, main.id, main.key, "rotated-secret") == 200
    assert signed_trigger(srv, main.id, main.key, "main-secret") == 401
    # A restart serves what was saved: the revoked secret stays revoked.
    assert srv.stop() == 0
    srv.start()
    assert signed_trigger(srv, main.id, main.key, "rotated-secret") == 200
    assert signed_trigger(srv, main.id, main.key, "main-secret") == 401


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


def test_statistics_written_while_the_disk_is_full_are_kept_not_lost(custom, small_disk):
    srv = custom(data_dir=small_disk / "data", extra=["--stats-interval", "1"])
    filler = fill(small_disk)
    clients = [WsClient(srv.ws_url("main-key"), APPS["main"]) for _ in range(3)]
    for c in clients:
        c.handshake()
    wait_until(lambda: "cannot write to the database" in requests.get(f"{srv.http_url}/readyz", timeout=5).text,
               timeout=10, message="a failed statistics flush")
    assert requests.get(f"{srv.http_url}/readyz", timeout=5).status_code == 200  # degraded, still serving
    filler.unlink()
    wait_until(lambda: "degraded" not in requests.get(f"{srv.http_url}/readyz", timeout=5).text, timeout=10,
               message="a flush that works again")
    for c in clients:
        c.close()
    assert srv.stop() == 0
    out = subprocess.run([str(BELFRY_BIN), "stats", "--app", "main", "--data-dir", str(srv.data_dir), "--by", "day",
                          "--format", "json"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["totals"]["newConnections"] == 3, out.stdout


def test_a_deleted_database_is_reported_and_a_restart_does_not_invent_credentials(custom):
    srv = custom()
    token = srv.token()
    (srv.data_dir / "belfry.sqlite").unlink()
    ready = requests.get(f"{srv.http_url}/readyz", timeout=5)
    assert ready.status_code == 200 and "was deleted" in ready.json()["checks"]["database"], ready.text
    assert srv.stop() == 0
    out = subprocess.run(srv.command(), capture_output=True, text=True, timeout=60, cwd=srv.root)
    assert out.returncode != 0
    assert "was deleted or replaced" in out.stderr and "--regenerate-credentials" in out.stderr, out.stderr
    srv.extra = ["--regenerate-credentials"]
    srv.start()
    assert srv.token() != token  # explicitly accepted: a new admin token


# --------------------------------------------------------------------------------------
# files and the admin port
# --------------------------------------------------------------------------------------


def test_no_file_in_the_data_dir_is_ever_readable_by_others(custom):
    srv = custom(start=False)
    seen: dict[str, int] = {}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            for root, dirs, files in os.walk(srv.data_dir):
                for name in [*dirs, *files, "."]:
                    path = os.path.join(root, name)
                    try:
                        mode = os.stat(path).st_mode
                    except OSError:
                        continue
                    if mode & 0o077:
                        seen[path] = mode

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        srv.start()
        token_file = srv.data_dir / "admin-token"
        first = token_file.stat()
        assert srv.stop() == 0
        srv.start()
    finally:
        stop.set()
        watcher.join(5)
    assert not seen, {p: oct(m) for p, m in seen.items()}
    again = token_file.stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns), "the token file was rewritten"
    assert stat.S_IMODE(srv.data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600


def test_admin_port_needs_the_token_a_known_host_and_same_site_writes(custom):
    srv = custom()
    base = srv.admin_url
    assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
    assert requests.get(f"{base}/readyz", timeout=5).status_code == 200
    assert requests.get(f"{base}/metrics", timeout=5).status_code == 200
    for method, path in [("GET", "/api/v1/reconcile"), ("POST", "/api/v1/reconcile"), ("GET", "/api/v1/apps"),
                         ("GET", "/api/v1/stats"), ("GET", "/internal/v1/state")]:
        response = requests.request(method, base + path, timeout=5)
        assert response.status_code == 401, (method, path, response.text)
    assert srv.admin("GET", "/api/v1/reconcile").status_code == 200
    # DNS rebinding: a page on evil.example whose name now points at 127.0.0.1.
    rebound = srv.admin("GET", "/api/v1/reconcile", headers={"Host": f"evil.example:{srv.admin_port}"})
    assert rebound.status_code == 421
    # A cross-site form post, with or without the token, never triggers a pass.
    for headers in ({"Origin": "https://evil.example", "Content-Type": "text/plain"},
                    {"Sec-Fetch-Site": "cross-site"}):
        assert srv.admin("POST", "/api/v1/reconcile", headers=headers, data="x").status_code == 403
        assert requests.post(f"{base}/api/v1/reconcile", headers=headers, data="x", timeout=5).status_code in (401, 403)
    # Bodies past 1 MiB are refused, not truncated.
    huge = srv.admin("POST", "/internal/v1/apply", data=b"{" + b" " * (1 << 20) + b"}",
                     headers={"Content-Type": "application/json"})
    assert huge.status_code == 413


def test_metrics_token_closes_metrics(custom):
    srv = custom(extra=["--metrics-token", "scrape-me"])
    assert requests.get(f"{srv.admin_url}/metrics", timeout=5).status_code == 401
    ok = requests.get(f"{srv.admin_url}/metrics", headers={"Authorization": "Bearer scrape-me"}, timeout=5)
    assert ok.status_code == 200 and "belfry_public_sockets" in ok.text


def test_internal_apply_validates_like_belfry_validate_and_never_takes_a_digest(custom):
    srv = custom()
    state = srv.admin("GET", "/internal/v1/state").json()
    # Sending the state back: its secretDigest values are not secrets.
    echoed = srv.admin("POST", "/internal/v1/apply", json={"config": state})
    assert echoed.status_code == 400, echoed.text
    app = {"name": "", "id": "1", "key": "k", "secret": "s", "enabled": True, "allowedOrigins": [],
           "clientEvents": False, "userAuthentication": False, "limits": {"maxConnections": -5}, "webhooks": []}
    bad = srv.admin("POST", "/internal/v1/apply", json={"config": {"revision": "r", "apps": [app], "users": []}})
    assert bad.status_code == 422, bad.text
    errors = "\n".join(bad.json()["errors"])
    assert "/metadata/name" in errors and "/spec/limits/maxConnections" in errors, errors
    valid_app = dict(app, name="ok", limits={})
    no_users = srv.admin("POST", "/internal/v1/apply", json={"config": {"revision": "r", "apps": [valid_app],
                                                                        "users": []}})
    assert no_users.status_code == 422 and "no User manifest" in no_users.text, no_users.text
    digest = dict(app, name="ok", limits={}, secret="sha256:" + "a" * 64)
    user = {"name": "alice", "email": "a@example.com", "passwordHash": "$2b$12$" + "a" * 53}
    assert srv.admin("POST", "/internal/v1/apply", json={"config": {"revision": "r", "apps": [digest],
                                                                      "users": [user]}}).status_code == 400
    # Nothing of it reached the server.
    assert signed_trigger(srv, "1001", "main-key", "main-secret") == 200


# --------------------------------------------------------------------------------------
# logs
# --------------------------------------------------------------------------------------


def test_text_logs_cannot_be_forged_or_flooded_by_a_client(server, ws, uniq):
    mark = server.log_size()
    client = ws("main")
    forged = "x\n2026-01-01T00:00:00.000Z INFO reconcile applied revision=forged"
    client.send({"event": f"client-{forged}", "channel": uniq("private-nope"), "data": {}})
    client.wait_for("pusher:error")
    started = time.monotonic()
    for i in range(3000):
        client.send({"event": "pusher:subscribe", "data": {"channel": f"bad channel {i}"}})
    for _ in range(3000):
        client.wait_for("pusher:subscription_error", timeout=10)
    elapsed = time.monotonic() - started
    client.ping_pong()

    # The next refusal after the second is up reports how many were left out.
    def reported() -> bool:
        client.send({"event": "pusher:subscribe", "data": {"channel": "bad channel again"}})
        client.wait_for("pusher:subscription_error", timeout=5)
        return re.search(r"subscription refused .*suppressed=[1-9]", server.log_tail(mark, limit=10**7)) is not None

    wait_until(reported, timeout=5, interval=0.2, message="a line with the suppressed count")
    elapsed = time.monotonic() - started
    log = server.log_tail(mark, limit=10**7)
    assert not any(line.startswith("2026-01-01T00:00:00.000Z INFO reconcile applied") for line in log.splitlines())
    assert "\\n2026-01-01" in log
    socket_id = client.socket_id
    refusals = [line for line in log.splitlines() if "subscription refused" in line and socket_id in line]
    assert 1 <= len(refusals) <= elapsed + 2, f"{len(refusals)} lines in {elapsed:.1f}s"
    assert any(re.search(r"suppressed=[1-9]", line) for line in refusals), refusals
    # Values with spaces are quoted, so key=value pairs parse back.
    assert re.search(r'channel="bad channel \d+"', refusals[0]), refusals[0]


# --------------------------------------------------------------------------------------
# RFC 6455 and other input
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("frame, expected", [
    (raw_frame(1, b'{"event":"pusher:ping","data":{}}', masked=False), 1002),
    (raw_frame(1, b'{"event":"pusher:ping","data":{}}', rsv=4), 1002),
    (raw_frame(3, b"x"), 1002),
    (raw_frame(9, b"x" * 126), 1002),
    (raw_frame(8, struct.pack("!H", 1005)), 1002),
    (raw_frame(8, struct.pack("!H", 0)), 1002),
    (raw_frame(8, b"\x03"), 1002),
    (raw_frame(8, struct.pack("!H", 1000) + b"\xff\xfe"), 1007),
    (raw_frame(1, b'{"event":"\xff"}'), 1007),
    (raw_frame(8, struct.pack("!H", 4000) + b"bye"), 4000),
    (raw_frame(8, struct.pack("!H", 1001)), 1001),
])
def test_protocol_violations_close_with_the_right_code(raw_ws, server, frame, expected):
    client = raw_ws(server, "/app/main-key?protocol=7")
    established = client.read_frame()
    assert established is not None and b"connection_established" in established[1]
    client.sock.sendall(frame)
    assert close_code_of(client) == expected


def test_frames_split_across_reads_are_read_whole(raw_ws, server, uniq):
    """A frame's header, mask and payload may arrive in different reads: the server keeps the
    part that has arrived and reads the frame once it is whole. Each piece ends after a whole
    ping, so the server's pong shows that piece was read before the next is sent."""
    client = raw_ws(server, "/app/main-key?protocol=7")
    established = client.read_frame()
    assert established is not None and b"connection_established" in established[1]
    channel = uniq("split")
    ping = masked_frame(1, b'{"event":"pusher:ping","data":{}}')
    subscribe = masked_frame(1, json.dumps({"event": "pusher:subscribe", "data": {"channel": channel}}).encode())

    def answer() -> dict:
        frame = client.read_frame()
        assert frame is not None and frame[0] == 1, frame
        return json.loads(frame[1])

    client.sock.sendall(ping + subscribe[:1])  # one byte of the header
    assert answer()["event"] == "pusher:pong"
    client.sock.sendall(subscribe[1:4])  # the rest of the header, half of the mask
    client.sock.sendall(subscribe[4:-3])  # the rest of the mask, most of the payload
    client.sock.sendall(subscribe[-3:] + ping[:5])  # the payload's end, and a header and a half
    got = answer()
    assert got["event"] == "pusher_internal:subscription_succeeded" and got["channel"] == channel, got
    client.sock.sendall(ping[5:])
    assert answer()["event"] == "pusher:pong"


def test_presence_user_ids_with_control_characters_are_refused(ws, uniq):
    client = ws("main")
    channel = uniq("presence-room")
    data = json.dumps({"user_id": "eve\nINFO admin logged in"})
    client.subscribe_error(channel, auth=APPS["main"].presence_auth(client.socket_id, channel, data), channel_data=data)


def test_secret_references_cannot_reach_the_servers_own_secrets(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "users.yaml").write_text((Path(__file__).resolve().parents[2] / "examples/config/users.yaml").read_text())
    (config / "a.yaml").write_text("apiVersion: belfry.dev/v1\nkind: App\nmetadata:\n  name: a\nspec:\n  id: \"1\"\n"
                                   "  key: a-key\n  secret: { file: /etc/passwd }\n")
    (config / "b.yaml").write_text("apiVersion: belfry.dev/v1\nkind: App\nmetadata:\n  name: b\nspec:\n  id: \"2\"\n"
                                   "  key: b-key\n  secret: { env: BELFRY_ADMIN_TOKEN }\n")
    out = subprocess.run([str(BELFRY_BIN), "validate", str(config)], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, BELFRY_ADMIN_TOKEN="t"))
    assert out.returncode == 1, out.stdout
    assert "a.yaml:8:11: error: /spec/secret: secret file /etc/passwd is not allowed" in out.stdout, out.stdout
    assert "b.yaml:8:11: error: /spec/secret: environment variable BELFRY_ADMIN_TOKEN is not allowed" in out.stdout
    served = subprocess.run([str(BELFRY_BIN), "serve", "--source", str(config), "--port", "0", "--admin-port", "0",
                             "--data-dir", str(tmp_path / "data")], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, BELFRY_ADMIN_TOKEN="t"), cwd=tmp_path)
    assert served.returncode == 1 and "is not allowed" in served.stderr, served.stderr
    assert "root:" not in served.stderr + out.stdout


def test_admin_port_beyond_loopback_warns_without_tls_and_serves_https_with_it(custom, tmp_path):
    plain = custom(extra=["--admin-host", "0.0.0.0"])
    wait_until(lambda: "reachable beyond this machine without TLS" in plain.log_tail(), timeout=5,
               message="the warning")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    secure = custom(extra=["--admin-host", "0.0.0.0", "--admin-tls-cert", str(cert), "--admin-tls-key", str(key)])
    answer = requests.get(f"https://127.0.0.1:{secure.admin_port}/healthz", verify=False, timeout=5,
                          headers={"Host": "localhost"})
    assert answer.status_code == 200
    assert "without TLS" not in secure.log_tail()


def test_reconcile_cli_fetch_from_a_silent_remote_is_bounded(custom):
    srv = custom()
    remote = SilentRemote()
    try:
        started = time.monotonic()
        out = subprocess.run(
            [str(BELFRY_BIN), "reconcile", "--source", f"http://127.0.0.1:{remote.port}/config.git", "--server",
             srv.admin_url, "--token-file", str(srv.data_dir / "admin-token"), "--dry-run", "--git-timeout", "2"],
            capture_output=True, text=True, timeout=60)
        elapsed = time.monotonic() - started
    finally:
        remote.close()
    assert out.returncode == 1 and "did not finish within 2" in out.stderr, out.stderr
    assert elapsed < 20, f"took {elapsed:.1f}s"


def test_engine_epoll_serves_websockets_and_the_http_api(custom):
    srv = custom(extra=["--engine", "epoll"])
    assert re.search(r"listening .*engine=epoll", srv.log_tail()), srv.log_tail()
    client = WsClient(srv.ws_url(APPS["main"].key), APPS["main"])
    try:
        client.handshake()
        client.subscribe("engine-news")
        # A publish through the HTTP API (served on the same epoll loop) reaches the socket.
        Api(srv, APPS["main"]).sdk.trigger("engine-news", "hello", {"n": 1})
        event = client.wait_for("hello", "engine-news")
        assert json.loads(event["data"]) == {"n": 1}
    finally:
        client.close()
    # A keep-alive connection whose first request is not a handshake can still upgrade: its next
    # request, a handshake, is answered with a 101 on the same socket.
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while b'{"status":"ok"}' not in answer:
            chunk = s.recv(4096)
            assert chunk, answer
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n"), answer
        s.sendall(f"GET /app/{APPS['main'].key}?protocol=7 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
        answer = b""
        while b"connection_established" not in answer:
            chunk = s.recv(4096)
            assert chunk, answer
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 101 Switching Protocols\r\n"), answer


def test_engine_auto_picks_epoll_for_an_ipv4_address(custom):
    # The suite's servers listen on 127.0.0.1 (`make e2e-nio` sets BELFRY_ENGINE=nio; the flag wins).
    srv = custom(extra=["--engine", "auto"])
    assert re.search(r"listening .*engine=epoll", srv.log_tail()), srv.log_tail()
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := s.recv(4096):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n"), answer


def test_engine_flag_errors_say_what_is_wrong(tmp_path):
    config = Path(__file__).resolve().parents[2] / "examples" / "config"
    base = [str(BELFRY_BIN), "serve", "--source", str(config), "--port", "0", "--admin-port", "0",
            "--data-dir", str(tmp_path / "data")]
    bogus = subprocess.run(base + ["--engine", "uring"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert bogus.returncode != 0 and "--engine must be auto, nio or epoll, got uring" in bogus.stderr, bogus.stderr
    named = subprocess.run(base + ["--engine", "epoll", "--host", "localhost"], capture_output=True, text=True,
                           timeout=60, cwd=tmp_path)
    assert named.returncode != 0, named.stderr
    assert "cannot listen on localhost:0 (public port): --engine epoll listens on an IPv4 address only" \
        in named.stderr, named.stderr
