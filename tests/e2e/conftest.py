"""End-to-end fixtures for Belfry: a real server process, real Pusher clients.

Everything a test needs comes from a fixture (no test imports this module):

- ``server`` / ``fast_server``: session-wide ``belfry serve`` processes (the second with
  short liveness / user-auth / cache timeouts), restarted if a test crashes them.
- ``server_factory``: start an extra instance owned by one test (graceful shutdown).
- ``apps``: the apps written to the manifests, with signature helpers.
- ``ws``: open a WebSocket client (``WsClient``) that reads frames with deadlines.
- ``refused``: open a connection that must be refused with ``pusher:error`` + close code.
- ``raw_ws``: a bare socket WebSocket client that never answers a close frame on its own.
- ``api``: the official ``pusher`` SDK plus a hand-signed ``requests`` client.
- ``expect_silence``: assert that no frame arrives on some clients within a time.
- ``uniq``: unique channel / user names so tests never see each other's traffic.

No test sleeps to wait for something: frames are awaited with deadlines and HTTP state is
polled with a deadline (``wait_until``). Sleeping is only used to assert silence and to
pace rate-limit tests.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import hmac
import itertools
import json
import os
import signal
import socket
import struct
import subprocess
import tempfile
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import pusher
import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect as ws_connect

REPO_ROOT = Path(__file__).resolve().parents[2]
BELFRY_BIN = Path(os.environ.get("BELFRY_BIN", REPO_ROOT / ".build" / "debug" / "belfry"))
if not BELFRY_BIN.is_absolute():  # servers run with another working directory
    BELFRY_BIN = REPO_ROOT / BELFRY_BIN

# Never route test traffic to 127.0.0.1 through a proxy from the environment.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

DEFAULT_TIMEOUT = 5.0


# --------------------------------------------------------------------------------------
# Apps and manifests
# --------------------------------------------------------------------------------------


def hmac_hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class App:
    name: str
    id: str
    key: str
    secret: str
    enabled: bool = True
    allowed_origins: tuple[str, ...] | None = None
    client_events: bool = False
    user_authentication: bool = False
    limits: dict[str, int] = field(default_factory=dict)

    # Signatures (pusher.md §1.13), computed by hand.
    def auth(self, string_to_sign: str) -> str:
        return f"{self.key}:{hmac_hex(self.secret, string_to_sign)}"

    def private_auth(self, socket_id: str, channel: str) -> str:
        return self.auth(f"{socket_id}:{channel}")

    def presence_auth(self, socket_id: str, channel: str, channel_data: str) -> str:
        return self.auth(f"{socket_id}:{channel}:{channel_data}")

    def user_auth(self, socket_id: str, user_data: str) -> str:
        return self.auth(f"{socket_id}::user::{user_data}")

    def manifest(self) -> str:
        lines = [
            "apiVersion: belfry.dev/v1",
            "kind: App",
            "metadata:",
            f"  name: {self.name}",
            "spec:",
            f"  id: {json.dumps(self.id)}",
            f"  key: {json.dumps(self.key)}",
            "  secret:",
            f"    value: {json.dumps(self.secret)}",
            f"  enabled: {str(self.enabled).lower()}",
            f"  clientEvents: {str(self.client_events).lower()}",
            f"  userAuthentication: {str(self.user_authentication).lower()}",
        ]
        if self.allowed_origins is not None:
            lines.append(f"  allowedOrigins: {json.dumps(list(self.allowed_origins))}")
        if self.limits:
            lines.append("  limits:")
            lines += [f"    {k}: {v}" for k, v in self.limits.items()]
        return "\n".join(lines) + "\n"


APPS: dict[str, App] = {
    a.name: a
    for a in [
        App("main", "1001", "main-key", "main-secret", client_events=True, allowed_origins=("*",)),
        App("noclient", "1002", "noclient-key", "noclient-secret", client_events=False),
        App("disabled", "1003", "disabled-key", "disabled-secret", enabled=False, client_events=True),
        App("maxconn", "1004", "maxconn-key", "maxconn-secret", limits={"maxConnections": 2}),
        App("origins", "1005", "origins-key", "origins-secret", allowed_origins=("example.com", "*.good.test", "https://shop.example.net", "http://localhost:8080")),
        App("userauth", "1006", "userauth-key", "userauth-secret", user_authentication=True),
        App("ratelimit", "1007", "ratelimit-key", "ratelimit-secret", client_events=True,
            limits={"clientEventsPerSecond": 3}),
        App("backend", "1008", "backend-key", "backend-secret", limits={"backendEventsPerSecond": 2}),
    ]
}

# The status page's test user: alice@example.com, password USER_PASSWORD (bcrypt cost 4, fast).
USER_EMAIL = "alice@example.com"
USER_PASSWORD = "alice-password"
USERS_MANIFEST = """\
apiVersion: belfry.dev/v1
kind: User
metadata:
  name: alice
spec:
  email: alice@example.com
  passwordHash: "$2b$04$QKVkcsFtFD1khBjQlmQ8RePfSFx06YUdsDP/dDlFqgEJ3G08xmz7y"
"""


def write_config(config_dir: Path) -> None:
    """Manifests as a repository would hold them: one file alone, several multi-document."""
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "main.yaml").write_text(APPS["main"].manifest())
    others = [a.manifest() for name, a in APPS.items() if name != "main"]
    (config_dir / "apps.yaml").write_text("---\n".join(others))
    users = config_dir / "users"
    users.mkdir(exist_ok=True)
    (users / "alice.yaml").write_text(USERS_MANIFEST)


# --------------------------------------------------------------------------------------
# Polling
# --------------------------------------------------------------------------------------


def wait_until(predicate: Callable[[], Any], timeout: float = DEFAULT_TIMEOUT, interval: float = 0.05,
               message: str = "condition") -> Any:
    """Poll ``predicate`` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}; last value: {last!r}")
        time.sleep(interval)


_PORTS_GIVEN: set[int] = set()


def free_port() -> int:
    """A port nothing listens on now, and one this test run has not handed out before: the kernel's
    pick for bind(0) can repeat right away, and a server given the same port twice (public and admin)
    fails to start."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _PORTS_GIVEN:
            _PORTS_GIVEN.add(port)
            return port


# --------------------------------------------------------------------------------------
# Server process
# --------------------------------------------------------------------------------------

_ALL_SERVERS: list["BelfryServer"] = []
_ADMIN_FLAG: list[bool] = []


def _supports_admin_port_flag() -> bool:
    if not _ADMIN_FLAG:
        try:
            out = subprocess.run([str(BELFRY_BIN), "serve", "--help"], capture_output=True, text=True, timeout=20)
            _ADMIN_FLAG.append("--admin-port" in (out.stdout + out.stderr))
        except (OSError, subprocess.TimeoutExpired):
            _ADMIN_FLAG.append(False)
    return _ADMIN_FLAG[0]


class BelfryServer:
    """One ``belfry serve`` process on free ports, its output in a log file."""

    def __init__(self, name: str, root: Path, *, activity_timeout: int = 120, pong_timeout: int = 30,
                 user_auth_timeout: int = 30, cache_ttl: int = 1800, shutdown_grace: int = 3,
                 session: bool = True) -> None:
        self.name = name
        self.root = root
        self.activity_timeout = activity_timeout
        self.pong_timeout = pong_timeout
        self.user_auth_timeout = user_auth_timeout
        self.cache_ttl = cache_ttl
        self.shutdown_grace = shutdown_grace
        self.session = session
        self.config_dir = root / "config"
        self.data_dir = root / "data"
        self.log_path = root / "belfry.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.admin_port = 0
        self.starts = 0
        self.log_mark = 0
        write_config(self.config_dir)
        _ALL_SERVERS.append(self)

    # -- lifecycle --------------------------------------------------------------------

    def command(self) -> list[str]:
        cmd = [
            str(BELFRY_BIN), "serve",
            "--source", str(self.config_dir),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--data-dir", str(self.data_dir),
            "--activity-timeout", str(self.activity_timeout),
            "--pong-timeout", str(self.pong_timeout),
            "--user-auth-timeout", str(self.user_auth_timeout),
            "--cache-ttl", str(self.cache_ttl),
            "--shutdown-grace", str(self.shutdown_grace),
            "--log-format", "text",
        ]
        if _supports_admin_port_flag():
            cmd += ["--admin-host", "127.0.0.1", "--admin-port", str(self.admin_port)]
        return cmd

    def start(self) -> "BelfryServer":
        if not BELFRY_BIN.exists():
            pytest.fail(f"belfry binary not found at {BELFRY_BIN} (build it with `swift build --product belfry` "
                        "or point BELFRY_BIN at it)", pytrace=False)
        self.port = free_port()
        self.admin_port = free_port()
        self.starts += 1
        env = dict(os.environ)
        env["BELFRY_ADMIN_HOST"] = "127.0.0.1"
        env["BELFRY_ADMIN_PORT"] = str(self.admin_port)
        with open(self.log_path, "ab") as log:
            log.write(f"===== start #{self.starts}: {' '.join(self.command())}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=env, cwd=self.root)
        try:
            wait_until(self._ready_or_dead, timeout=60, interval=0.05, message=f"{self.name} /readyz")
        except AssertionError as exc:
            self.kill()
            pytest.fail(f"{self.name} did not become ready: {exc}\n--- log ---\n{self.log_tail()}", pytrace=False)
        if self.proc.poll() is not None:
            pytest.fail(f"{self.name} exited with {self.proc.returncode} during startup\n--- log ---\n"
                        f"{self.log_tail()}", pytrace=False)
        return self

    def _ready_or_dead(self) -> bool:
        if self.proc is None or self.proc.poll() is not None:
            return True
        try:
            if requests.get(f"{self.http_url}/readyz", timeout=1).status_code != 200:
                return False
        except requests.RequestException:
            return False
        # The admin port's service may bind a moment after the public one (and may speak TLS).
        try:
            socket.create_connection(("127.0.0.1", self.admin_port), timeout=1).close()
            return True
        except OSError:
            return False

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def terminate(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)

    def stop(self) -> int:
        """SIGTERM, then wait for exit within the grace period plus a margin. Returns the exit code."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.terminate()
            try:
                self.proc.wait(timeout=self.shutdown_grace + 10)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError(f"{self.name} did not exit within {self.shutdown_grace + 10}s of SIGTERM")
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    # -- addresses --------------------------------------------------------------------

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, key: str, protocol: str | None = "7", path: str | None = None, extra: str = "") -> str:
        if path is None:
            path = f"/app/{key}"
        params = []
        if protocol is not None:
            params.append(f"protocol={protocol}")
        params += ["client=js", "version=8.4.0"]
        query = "&".join(params) + extra
        return f"ws://127.0.0.1:{self.port}{path}?{query}"

    # -- log --------------------------------------------------------------------------

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def log_tail(self, since: int = 0, limit: int = 15000) -> str:
        try:
            data = self.log_path.read_bytes()[since:]
        except OSError:
            return "(no log)"
        text = data.decode(errors="replace")
        if len(text) > limit:
            text = f"... ({len(text) - limit} chars cut)\n" + text[-limit:]
        return text


@atexit.register
def _kill_leftovers() -> None:
    for srv in _ALL_SERVERS:
        srv.kill()


def pytest_runtest_setup(item: pytest.Item) -> None:
    for srv in _ALL_SERVERS:
        srv.log_mark = srv.log_size()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    if report.failed:
        for srv in _ALL_SERVERS:
            since = srv.log_mark if srv.log_mark <= srv.log_size() else 0
            tail = srv.log_tail(since)
            if tail.strip():
                report.sections.append((f"belfry log: {srv.name} (port {srv.port}, this test)", tail))
    return report


@pytest.fixture(scope="session")
def _tmp_root() -> Iterable[Path]:
    with tempfile.TemporaryDirectory(prefix="belfry-e2e-") as d:
        yield Path(d)


def _session_server(name: str, root: Path, **kw: Any) -> Iterable[BelfryServer]:
    (root / name).mkdir()
    srv = BelfryServer(name, root / name, **kw).start()
    yield srv
    code = srv.stop()
    assert code == 0, f"{name} exited with {code} after SIGTERM\n--- log ---\n{srv.log_tail()}"


@pytest.fixture(scope="session")
def server(_tmp_root: Path) -> Iterable[BelfryServer]:
    """The main server: default liveness timeouts, long cache TTL."""
    yield from _session_server("main", _tmp_root, activity_timeout=120, pong_timeout=30,
                               user_auth_timeout=30, cache_ttl=1800, shutdown_grace=3)


@pytest.fixture(scope="session")
def fast_server(_tmp_root: Path) -> Iterable[BelfryServer]:
    """A server with short timers for liveness, user-auth timeout and cache TTL tests."""
    yield from _session_server("fast", _tmp_root, activity_timeout=2, pong_timeout=1,
                               user_auth_timeout=2, cache_ttl=2, shutdown_grace=3)


@pytest.fixture
def server_factory(_tmp_root: Path) -> Iterable[Callable[..., BelfryServer]]:
    """Start a server instance owned by this test (killed at teardown if still running)."""
    own: list[BelfryServer] = []
    counter = itertools.count()

    def start(**kw: Any) -> BelfryServer:
        root = _tmp_root / f"own-{uuid.uuid4().hex[:8]}-{next(counter)}"
        root.mkdir()
        srv = BelfryServer(f"own-{root.name}", root, session=False, **kw).start()
        own.append(srv)
        return srv

    yield start
    for srv in own:
        srv.kill()
        _ALL_SERVERS.remove(srv)


@pytest.fixture(autouse=True)
def _server_must_survive(request: pytest.FixtureRequest) -> Iterable[None]:
    """Fail the test that crashed a session server, and restart it for the tests after it."""
    yield
    for srv in list(_ALL_SERVERS):
        if srv.session and srv.proc is not None and not srv.alive():
            code = srv.proc.returncode
            log = srv.log_tail(srv.log_mark)
            srv.start()
            pytest.fail(f"server {srv.name} died during this test (exit code {code}); restarted on port "
                        f"{srv.port}\n--- log ---\n{log}", pytrace=False)


# --------------------------------------------------------------------------------------
# WebSocket client
# --------------------------------------------------------------------------------------


class Closed(AssertionError):
    pass


def frame_repr(frames: Iterable[Any]) -> str:
    return "\n  ".join(json.dumps(f) if not isinstance(f, str) else f for f in frames) or "(none)"


class WsClient:
    """A Pusher protocol client on ``websockets``' sync API.

    Frames are read with deadlines; frames that arrive while waiting for something else are
    kept (``pending``) for later ``wait_for`` / ``next_frame`` calls, so nothing is lost.
    With ``auto_pong`` a server ``pusher:ping`` is answered and not recorded.
    """

    def __init__(self, url: str, app: App | None, *, origin: str | None = None, auto_pong: bool = True,
                 headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.app = app
        self.auto_pong = auto_pong
        self.pending: deque[dict[str, Any]] = deque()
        self.history: list[Any] = []
        self.close_code: int | None = None
        self.closed = False
        self.socket_id: str | None = None
        self.established: dict[str, Any] | None = None
        self.user_id: str | None = None
        self.ws = ws_connect(url, origin=origin, ping_interval=None, proxy=None, compression=None,
                             max_queue=4096, open_timeout=10, close_timeout=2, additional_headers=headers,
                             legacy=True)

    # -- raw I/O ----------------------------------------------------------------------

    def send(self, obj: Any) -> None:
        self.ws.send(json.dumps(obj))

    def send_raw(self, data: str | bytes) -> None:
        self.ws.send(data)

    def _recv(self, timeout: float) -> dict[str, Any] | None:
        """One frame from the socket (None on timeout). Raises Closed when the server closed."""
        if self.closed:
            raise Closed(f"connection already closed with code {self.close_code}")
        deadline = time.monotonic() + max(timeout, 0)
        while True:
            try:
                raw = self.ws.recv(timeout=max(deadline - time.monotonic(), 0))
            except TimeoutError:
                return None
            except ConnectionClosed as exc:
                self.closed = True
                self.close_code = exc.rcvd.code if exc.rcvd is not None else None
                raise Closed(f"connection closed by server with code {self.close_code}") from None
            if isinstance(raw, bytes):
                raw = raw.decode("utf-8", errors="replace")
            self.history.append(raw)
            try:
                frame = json.loads(raw)
            except json.JSONDecodeError:
                raise AssertionError(f"server sent a frame that is not JSON: {raw!r}") from None
            if self.auto_pong and frame == {"event": "pusher:ping", "data": {}}:
                try:
                    self.send({"event": "pusher:pong", "data": {}})
                except ConnectionClosed:
                    pass  # the next recv reports the close
                continue
            return frame

    def next_frame(self, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
        """The next frame in arrival order (pending first)."""
        if self.pending:
            return self.pending.popleft()
        frame = self._recv(timeout)
        if frame is None:
            raise AssertionError(f"no frame within {timeout}s")
        return frame

    def wait_for(self, event: str, channel: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 where: Callable[[dict[str, Any]], bool] | None = None,
                 fail_if: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
        """The first frame (pending or new) with this event (and channel / predicate).

        ``fail_if``: a frame that arrives while waiting and makes the wait fail at once.
        """

        def matches(f: dict[str, Any]) -> bool:
            return (f.get("event") == event and (channel is None or f.get("channel") == channel)
                    and (where is None or where(f)))

        for f in list(self.pending):
            if matches(f):
                self.pending.remove(f)
                return f
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {event!r}"
                                     f"{' on ' + repr(channel) if channel else ''}; other frames:\n  "
                                     f"{frame_repr(self.pending)}")
            try:
                f = self._recv(remaining)
            except Closed as exc:
                raise Closed(f"{exc} while waiting for {event!r}; frames before close:\n  "
                             f"{frame_repr(self.pending)}") from None
            if f is None:
                continue
            if matches(f):
                return f
            if fail_if is not None and fail_if(f):
                raise AssertionError(f"got {json.dumps(f)} while waiting for {event!r}"
                                     f"{' on ' + repr(channel) if channel else ''}")
            self.pending.append(f)

    def drain(self) -> list[dict[str, Any]]:
        """Everything already received, without waiting."""
        frames = list(self.pending)
        self.pending.clear()
        while not self.closed:
            try:
                f = self._recv(0)
            except Closed:
                break
            if f is None:
                break
            frames.append(f)
        return frames

    def expect_silence(self, seconds: float, ignore: Callable[[dict[str, Any]], bool] | None = None) -> None:
        """Assert that no frame arrives within ``seconds`` (and none is pending)."""
        unexpected = [f for f in self.pending if not (ignore and ignore(f))]
        assert not unexpected, f"unexpected frames:\n  {frame_repr(unexpected)}"
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            f = self._recv(remaining)
            if f is not None and not (ignore and ignore(f)):
                raise AssertionError(f"expected silence for {seconds}s, got {json.dumps(f)}")
            if f is not None:
                self.pending.append(f)

    def wait_closed(self, timeout: float = DEFAULT_TIMEOUT) -> int | None:
        """Wait until the server closes the connection; frames before the close stay in ``pending``."""
        deadline = time.monotonic() + timeout
        while not self.closed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"connection not closed within {timeout}s; frames:\n  "
                                     f"{frame_repr(self.pending)}")
            try:
                f = self._recv(remaining)
            except Closed:
                break
            if f is not None:
                self.pending.append(f)
        return self.close_code

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass

    def drop(self) -> None:
        """Vanish without a close frame, like a killed browser tab: the TCP connection just ends."""
        try:
            self.ws.socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.ws.socket.close()

    # -- protocol helpers -------------------------------------------------------------

    def handshake(self, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
        frame = self.next_frame(timeout)
        assert frame.get("event") == "pusher:connection_established", \
            f"first frame is not pusher:connection_established: {json.dumps(frame)}"
        assert isinstance(frame.get("data"), str), f"connection_established data must be a JSON string: {frame}"
        self.established = json.loads(frame["data"])
        self.socket_id = self.established.get("socket_id")
        return frame

    def ping_pong(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Prove the connection is usable: pusher:ping gets exactly pusher:pong."""
        self.send({"event": "pusher:ping", "data": {}})
        pong = self.wait_for("pusher:pong", timeout=timeout)
        assert pong == {"event": "pusher:pong", "data": {}}

    def subscribe_raw(self, channel: str, auth: str | None = "", channel_data: str | None = None) -> None:
        data: dict[str, Any] = {"channel": channel}
        if auth is not None:
            data["auth"] = auth
        if channel_data is not None:
            data["channel_data"] = channel_data
        self.send({"event": "pusher:subscribe", "data": data})

    def subscribe(self, channel: str, auth: str | None = "", channel_data: str | None = None,
                  timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
        """Subscribe and return the subscription_succeeded frame (no auth computed)."""
        self.subscribe_raw(channel, auth, channel_data)
        return self.wait_succeeded(channel, timeout)

    def wait_succeeded(self, channel: str, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
        """The subscription_succeeded frame for ``channel``; fails at once on a subscription error."""
        return self.wait_for("pusher_internal:subscription_succeeded", channel, timeout=timeout,
                             fail_if=lambda f: f.get("event") in ("pusher:subscription_error", "pusher:error"))

    def subscribe_private(self, channel: str) -> dict[str, Any]:
        assert self.app is not None and self.socket_id
        return self.subscribe(channel, self.app.private_auth(self.socket_id, channel))

    def subscribe_presence(self, channel: str, user_id: Any, user_info: Any = None) -> dict[str, Any]:
        assert self.app is not None and self.socket_id
        cd: dict[str, Any] = {"user_id": user_id}
        if user_info is not None:
            cd["user_info"] = user_info
        channel_data = json.dumps(cd)
        return self.subscribe(channel, self.app.presence_auth(self.socket_id, channel, channel_data), channel_data)

    def subscribe_error(self, channel: str, auth: str | None = "", channel_data: str | None = None,
                        *, sub_type: str | None = None, status: int | None = None,
                        timeout: float = DEFAULT_TIMEOUT) -> tuple[dict[str, Any], dict[str, Any]]:
        """Subscribe, expect pusher:error (code null) + pusher:subscription_error, and no success."""
        self.subscribe_raw(channel, auth, channel_data)
        return self.expect_subscription_error(channel, sub_type=sub_type, status=status, timeout=timeout)

    def expect_subscription_error(self, channel: str, *, sub_type: str | None = None, status: int | None = None,
                                  timeout: float = DEFAULT_TIMEOUT) -> tuple[dict[str, Any], dict[str, Any]]:
        sub_err = self.wait_for("pusher:subscription_error", channel, timeout=timeout)
        err = self.wait_for("pusher:error", timeout=timeout)
        assert set(sub_err) == {"event", "channel", "data"}, sub_err
        data = sub_err["data"]
        assert isinstance(data, dict), f"subscription_error data must be an object: {sub_err}"
        assert isinstance(data.get("type"), str) and data["type"], sub_err
        assert isinstance(data.get("error"), str) and data["error"], sub_err
        assert isinstance(data.get("status"), int), sub_err
        if sub_type is not None:
            assert data["type"] == sub_type, sub_err
        if status is not None:
            assert data["status"] == status, sub_err
        else:
            assert data["status"] in (400, 401, 403), sub_err
        assert set(err) == {"event", "data"}, err
        assert err["data"].get("code") is None and "code" in err["data"], err
        assert isinstance(err["data"].get("message"), str) and err["data"]["message"], err
        # The connection stays open and no success was (or is) sent for this channel.
        self.ping_pong()
        bad = [f for f in self.pending
               if f.get("event") == "pusher_internal:subscription_succeeded" and f.get("channel") == channel]
        assert not bad, f"subscription_succeeded arrived despite the error: {bad}"
        return err, sub_err

    def signin(self, user_id: Any, user_info: Any = None, watchlist: list[str] | None = None,
               timeout: float = DEFAULT_TIMEOUT) -> str:
        """Sign in with a hand-computed signature; returns the user_data string."""
        assert self.app is not None and self.socket_id
        ud: dict[str, Any] = {"id": user_id}
        if user_info is not None:
            ud["user_info"] = user_info
        if watchlist is not None:
            ud["watchlist"] = watchlist
        user_data = json.dumps(ud)
        self.send({"event": "pusher:signin",
                   "data": {"auth": self.app.user_auth(self.socket_id, user_data), "user_data": user_data}})
        ok = self.wait_for("pusher:signin_success", timeout=timeout)
        assert ok == {"event": "pusher:signin_success", "data": {"user_data": user_data}}, ok
        self.user_id = str(user_id)
        return user_data


@pytest.fixture
def ws(server: BelfryServer) -> Iterable[Callable[..., WsClient]]:
    """Factory: ``ws(app="main", srv=server, protocol="7", path=None, origin=None, handshake=True)``."""
    clients: list[WsClient] = []

    def open_ws(app: str | App = "main", *, srv: BelfryServer | None = None, protocol: str | None = "7",
                path: str | None = None, extra: str = "", origin: str | None = None, handshake: bool = True,
                auto_pong: bool = True, headers: dict[str, str] | None = None) -> WsClient:
        srv = srv or server
        the_app = APPS[app] if isinstance(app, str) else app
        url = srv.ws_url(the_app.key, protocol=protocol, path=path, extra=extra)
        client = WsClient(url, the_app, origin=origin, auto_pong=auto_pong, headers=headers)
        clients.append(client)
        if handshake:
            client.handshake()
        return client

    yield open_ws
    for c in clients:
        c.close()


@pytest.fixture
def refused(ws: Callable[..., WsClient]) -> Callable[..., WsClient]:
    """``refused(code, app=..., **ws_kwargs)``: the server must send pusher:error {code} then close {code}."""

    def check(code: int, app: str | App = "main", **kw: Any) -> WsClient:
        try:
            client = ws(app, handshake=False, **kw)
        except InvalidStatus as exc:
            raise AssertionError(f"server rejected the WebSocket upgrade with HTTP "
                                 f"{exc.response.status_code} instead of accepting it and sending "
                                 f"pusher:error {code} + close {code}") from None
        close_code = client.wait_closed(timeout=DEFAULT_TIMEOUT)
        frames = list(client.pending)
        assert not any(f.get("event") == "pusher:connection_established" for f in frames), \
            f"refused connection got connection_established:\n  {frame_repr(frames)}"
        assert frames, f"no pusher:error before close {close_code}"
        err = frames[0]
        assert err.get("event") == "pusher:error", f"first frame is not pusher:error: {err}"
        assert set(err) == {"event", "data"}, err
        assert isinstance(err["data"], dict), err
        assert err["data"].get("code") == code, f"expected pusher:error code {code}: {err}"
        assert isinstance(err["data"].get("message"), str) and err["data"]["message"], err
        assert close_code == code, f"expected close code {code}, got {close_code}"
        return client

    return check


@pytest.fixture
def expect_silence() -> Callable[..., None]:
    """``expect_silence(seconds, *clients)``: no frame on any client within ``seconds``."""

    def check(seconds: float, *clients: WsClient, ignore: Callable[[dict[str, Any]], bool] | None = None) -> None:
        for c in clients:
            unexpected = [f for f in c.pending if not (ignore and ignore(f))]
            assert not unexpected, f"unexpected frames:\n  {frame_repr(unexpected)}"
        time.sleep(seconds)  # asserting that nothing happens takes time by definition
        for c in clients:
            got = [f for f in c.drain() if not (ignore and ignore(f))]
            assert not got, f"expected silence for {seconds}s on {c.socket_id}, got:\n  {frame_repr(got)}"

    return check


def masked_frame(opcode: int, payload: bytes) -> bytes:
    """A final client frame, masked as RFC 6455 §5.3 requires."""
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x80 | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class RawWsClient:
    """A bare WebSocket client on a socket: it reads frames and sends only what it is told to;
    in particular it does not answer the server's close frame unless asked to (``send_close``)."""

    def __init__(self, port: int, path: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
                           ).encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            assert chunk, "connection closed during the WebSocket handshake"
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def _read(self, n: int, deadline: float) -> bytes | None:
        while len(self.buf) < n:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise AssertionError("timed out reading a frame") from None
            if not chunk:
                return None
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_frame(self, timeout: float = 5.0) -> tuple[int, bytes] | None:
        """(opcode, payload) of the next server frame, None at EOF."""
        deadline = time.monotonic() + timeout
        head = self._read(2, deadline)
        if head is None:
            return None
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read(2, deadline))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read(8, deadline))[0]
        payload = self._read(length, deadline) if length else b""
        assert payload is not None, "EOF inside a frame"
        return opcode, payload

    def send_frame(self, opcode: int, payload: bytes) -> None:
        self.sock.sendall(masked_frame(opcode, payload))

    def send_close(self, code: int) -> None:
        self.send_frame(8, struct.pack("!H", code))

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw_ws() -> Iterable[Callable[[BelfryServer, str], RawWsClient]]:
    """Factory: ``raw_ws(server, "/app/key?protocol=7")`` -> ``RawWsClient`` after the upgrade."""
    opened: list[RawWsClient] = []

    def open_raw(srv: BelfryServer, path: str) -> RawWsClient:
        c = RawWsClient(srv.port, path)
        opened.append(c)
        return c

    yield open_raw
    for c in opened:
        c.close()


# --------------------------------------------------------------------------------------
# HTTP API
# --------------------------------------------------------------------------------------


class Api:
    """The official SDK (``.sdk``) and a hand-signed client (``.request``) for one app."""

    def __init__(self, srv: BelfryServer, app: App) -> None:
        self.srv = srv
        self.app = app
        self.sdk = pusher.Pusher(app_id=app.id, key=app.key, secret=app.secret, host="127.0.0.1",
                                 port=srv.port, ssl=False, timeout=10)
        self.session = requests.Session()
        self.session.trust_env = False

    def path(self, rest: str = "") -> str:
        return f"/apps/{self.app.id}" + (f"/{rest}" if rest else "")

    def request(self, method: str, path: str, *, query: dict[str, str] | None = None,
                body: Any = None, key: str | None = None, secret: str | None = None,
                timestamp: int | None = None, body_md5: str | None = None, omit: Iterable[str] = (),
                signature: str | None = None, sign_path: str | None = None,
                sign_query: dict[str, str] | None = None) -> requests.Response:
        """A request signed as pusher.md §2.2 describes, with knobs to break the signature."""
        if body is None:
            raw = b""
        elif isinstance(body, bytes):
            raw = body
        elif isinstance(body, str):
            raw = body.encode()
        else:
            raw = json.dumps(body).encode()
        params: dict[str, str] = dict(query or {})
        params["auth_key"] = key or self.app.key
        params["auth_timestamp"] = str(int(time.time()) if timestamp is None else timestamp)
        params["auth_version"] = "1.0"
        if raw:
            params["body_md5"] = body_md5 or hashlib.md5(raw).hexdigest()
        elif body_md5 is not None:
            params["body_md5"] = body_md5
        signed = {**params, **(sign_query or {})}
        canonical = "&".join(f"{k.lower()}={v}" for k, v in sorted(signed.items(), key=lambda kv: kv[0].lower()))
        to_sign = f"{method.upper()}\n{sign_path or path}\n{canonical}"
        params["auth_signature"] = signature or hmac_hex(secret or self.app.secret, to_sign)
        for k in omit:
            params.pop(k, None)
        url = f"{self.srv.http_url}{path}"
        if params:
            url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
        headers = {"Content-Type": "application/json"} if raw else {}
        return self.session.request(method, url, data=raw or None, headers=headers, timeout=10)

    def trigger(self, body: dict[str, Any], **kw: Any) -> requests.Response:
        return self.request("POST", self.path("events"), body=body, **kw)


@pytest.fixture
def api(server: BelfryServer) -> Callable[..., Api]:
    """Factory: ``api(app="main", srv=server)``."""

    def make(app: str | App = "main", srv: BelfryServer | None = None) -> Api:
        return Api(srv or server, APPS[app] if isinstance(app, str) else app)

    return make


@pytest.fixture(name="wait_until")
def wait_until_fixture() -> Callable[..., Any]:
    """``wait_until(predicate, timeout=5, interval=0.05, message=...)``: poll with a deadline."""
    return wait_until


@pytest.fixture
def apps() -> dict[str, App]:
    return APPS


_uniq_counter = itertools.count()
_run_tag = uuid.uuid4().hex[:6]


@pytest.fixture
def uniq() -> Callable[[str], str]:
    """``uniq("presence-room")`` -> ``presence-room-3f2a1b-17``: never shared between tests."""

    def make(prefix: str) -> str:
        return f"{prefix}-{_run_tag}-{next(_uniq_counter)}"

    return make
