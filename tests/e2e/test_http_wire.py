"""The public port's HTTP/1.1 layer on the wire: raw sockets against the real server.

Every test speaks bytes to ``server.port`` on 127.0.0.1 and reads the server's bytes back with
socket timeouts and deadlines (no sleeps): pipelining, requests split across writes, chunked
bodies, ``Expect: 100-continue``, the error statuses and when the server closes, keep-alive by
HTTP version, and the WebSocket opening handshake (including frames sent in the same write as
the upgrade request).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import socket
import struct
import time
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import masked_frame

TIMEOUT = 5.0
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_REQUEST_BODY = 1 << 20  # ServerOptions.maxRequestBody; the suite's servers keep the default
MAX_HEAD_BYTES = 32 * 1024  # HTTP1Parser.maxHeadBytes


# --------------------------------------------------------------------------------------
# Raw HTTP helpers
# --------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    raw: bytes

    def header(self, name: str) -> str | None:
        """The first header of that name (case-insensitive), or None."""
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self) -> Any:
        return json.loads(self.body)


class Wire:
    """One TCP connection to the server, with a read buffer and deadline-bound reads."""

    def __init__(self, port: int, *, nodelay: bool = False) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        if nodelay:
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.received = b""  # everything ever read, for failure messages

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self, deadline: float, what: str) -> None:
        """Read at least one more byte into ``buf``; fail on EOF, reset or the deadline."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"timed out waiting for {what}; received so far: {self.received!r}")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise AssertionError(f"timed out waiting for {what}; received so far: {self.received!r}") from None
        except ConnectionResetError:
            raise AssertionError(f"connection reset while waiting for {what}; "
                                 f"received so far: {self.received!r}") from None
        if not chunk:
            raise AssertionError(f"connection closed by the server while waiting for {what}; "
                                 f"received so far: {self.received!r}")
        self.buf += chunk
        self.received += chunk

    def read_exact(self, n: int, deadline: float, what: str = "bytes") -> bytes:
        while len(self.buf) < n:
            self._fill(deadline, what)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_head(self, timeout: float = TIMEOUT) -> tuple[int, str, list[tuple[str, str]], bytes]:
        """Status line and headers of the next response (consumed through the blank line)."""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buf:
            self._fill(deadline, "a response head")
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        version, status, reason = lines[0].decode("latin-1").split(" ", 2)
        assert version == "HTTP/1.1", f"unexpected status line {lines[0]!r}"
        headers = []
        for line in lines[1:]:
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip(), value.strip()))
        return int(status), reason, headers, head + b"\r\n\r\n"

    def read_response(self, timeout: float = TIMEOUT) -> Response:
        """The next complete response: head plus a ``Content-Length`` body (none for 1xx)."""
        deadline = time.monotonic() + timeout
        status, reason, headers, raw_head = self.read_head(timeout)
        resp = Response(status, reason, headers, b"", raw_head)
        if 100 <= status < 200:
            return resp
        length = resp.header("content-length")
        assert length is not None, f"response without Content-Length: {raw_head!r}"
        resp.body = self.read_exact(int(length), deadline, "a response body")
        resp.raw += resp.body
        return resp

    def expect_closed(self, timeout: float = TIMEOUT) -> None:
        """The server closes the connection (EOF or reset) without sending anything more."""
        assert not self.buf, f"unexpected bytes after the response: {self.buf!r}"
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"the server did not close the connection within {timeout}s")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise AssertionError(f"the server did not close the connection within {timeout}s") from None
            except ConnectionResetError:
                return
            if not chunk:
                return
            raise AssertionError(f"unexpected bytes instead of a close: {chunk!r}")

    # -- WebSocket frames (server to client: never masked) ----------------------------

    def read_frame(self, timeout: float = TIMEOUT) -> tuple[int, bytes]:
        """(opcode, payload) of the next unfragmented server frame."""
        deadline = time.monotonic() + timeout
        b0, b1 = self.read_exact(2, deadline, "a WebSocket frame")
        assert b0 & 0x80, f"fragmented frame (FIN clear): {b0:#x}"
        assert not b1 & 0x80, "the server masked a frame"
        length = b1 & 0x7F
        if length == 126:
            length = struct.unpack("!H", self.read_exact(2, deadline, "a frame length"))[0]
        elif length == 127:
            length = struct.unpack("!Q", self.read_exact(8, deadline, "a frame length"))[0]
        return b0 & 0x0F, self.read_exact(length, deadline, "a frame payload")

    def read_text_json(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        opcode, payload = self.read_frame(timeout)
        assert opcode == 1, f"expected a text frame, got opcode {opcode}: {payload!r}"
        return json.loads(payload)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def wire(server):
    """Factory: ``wire(nodelay=False)`` -> a ``Wire`` to the main server, closed at teardown."""
    opened: list[Wire] = []

    def open_wire(*, nodelay: bool = False) -> Wire:
        w = Wire(server.port, nodelay=nodelay)
        opened.append(w)
        return w

    yield open_wire
    for w in opened:
        w.close()


def signed_events_target(app, body: bytes) -> str:
    """``/apps/<id>/events?...`` signed for ``body`` (pusher.md §2.2: auth_version 1.0, body_md5)."""
    path = f"/apps/{app.id}/events"
    params = {
        "auth_key": app.key,
        "auth_timestamp": str(int(time.time())),
        "auth_version": "1.0",
        "body_md5": hashlib.md5(body).hexdigest(),
    }
    canonical = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    signature = hmac.new(app.secret.encode(), f"POST\n{path}\n{canonical}".encode(), hashlib.sha256).hexdigest()
    return f"{path}?{canonical}&auth_signature={signature}"


def event_body(name: str, channel: str, data: str) -> bytes:
    return json.dumps({"name": name, "channel": channel, "data": data}, separators=(",", ":")).encode()


def events_head(port: int, app, body: bytes, *, version: str = "HTTP/1.1", framing: str = "length",
                extra: str = "") -> bytes:
    """The head of a signed POST /apps/<id>/events: ``framing`` is ``length`` (Content-Length)
    or ``chunked``; ``extra`` is more header lines, each ending in CRLF."""
    fr = f"Content-Length: {len(body)}\r\n" if framing == "length" else "Transfer-Encoding: chunked\r\n"
    return (f"POST {signed_events_target(app, body)} {version}\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\n{fr}{extra}\r\n").encode()


def events_request(port: int, app, body: bytes, **kw: Any) -> bytes:
    """A complete signed POST /apps/<id>/events with a Content-Length body."""
    return events_head(port, app, body, **kw) + body


def assert_ok_empty(resp: Response) -> None:
    assert resp.status == 200, resp.raw
    assert resp.body == b"{}", resp.raw


REASONS = {400: "Bad Request", 413: "Content Too Large", 426: "Upgrade Required",
           431: "Request Header Fields Too Large", 501: "Not Implemented", 505: "HTTP Version Not Supported"}


def assert_json_error(resp: Response, status: int, message: str) -> None:
    """The error response the server closes with: this status and reason phrase, a JSON body
    ``{"error": message}`` and ``Connection: close``."""
    assert (resp.status, resp.reason) == (status, REASONS[status]), resp.raw
    assert resp.header("content-type") == "application/json", resp.raw
    assert resp.json() == {"error": message}, resp.raw
    assert (resp.header("connection") or "").lower() == "close", resp.raw


def ws_key() -> str:
    return base64.b64encode(os.urandom(16)).decode()


def ws_accept(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()


def upgrade_request(port: int, path: str, *, key: str | None, version: str = "13") -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade"]
    if key is not None:
        lines.append(f"Sec-WebSocket-Key: {key}")
    lines.append(f"Sec-WebSocket-Version: {version}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def pusher_path(app) -> str:
    return f"/app/{app.key}?protocol=7&client=js&version=8.4.0"


# --------------------------------------------------------------------------------------
# 1. Pipelining
# --------------------------------------------------------------------------------------


def test_pipelined_triggers_answered_in_order_and_delivered_in_order(server, apps, ws, wire, uniq):
    """Twenty signed triggers in one write get twenty 200 ``{}`` responses, in order, on the
    same connection, and a subscriber receives the twenty events in the order they were sent."""
    n = 20
    app = apps["main"]
    ch = uniq("pipelined")
    sub = ws()
    sub.subscribe(ch)
    payload = b"".join(events_request(server.port, app, event_body("seq", ch, str(i))) for i in range(n))
    w = wire()
    w.send(payload)
    for i in range(n):
        resp = w.read_response()
        assert resp.status == 200 and resp.body == b"{}", f"response #{i}: {resp.raw!r}"
        assert resp.header("connection") is None, f"response #{i} closes the connection: {resp.raw!r}"
    assert w.buf == b"", f"bytes after the {n} responses: {w.buf!r}"
    got = [sub.wait_for("seq", ch)["data"] for _ in range(n)]
    assert got == [str(i) for i in range(n)]


# --------------------------------------------------------------------------------------
# 2. Split writes
# --------------------------------------------------------------------------------------


def test_request_split_across_many_tiny_writes(server, apps, ws, wire, uniq):
    """A trigger whose head is written one byte per ``send`` (TCP_NODELAY) and whose body is
    written in two pieces is answered 200 ``{}`` and its event delivered."""
    app = apps["main"]
    ch = uniq("split")
    sub = ws()
    sub.subscribe(ch)
    body = event_body("split", ch, "pieces")
    head = events_head(server.port, app, body)
    w = wire(nodelay=True)
    for i in range(len(head)):
        w.send(head[i:i + 1])
    half = len(body) // 2
    w.send(body[:half])
    w.send(body[half:])
    assert_ok_empty(w.read_response())
    assert sub.wait_for("split", ch) == {"event": "split", "channel": ch, "data": "pieces"}


# --------------------------------------------------------------------------------------
# 3. Chunked bodies
# --------------------------------------------------------------------------------------


def test_chunked_body_with_extension_and_trailer(server, apps, ws, wire, uniq):
    """``Transfer-Encoding: chunked`` with three chunks (one carrying a chunk extension) and a
    trailer field is de-chunked: ``body_md5`` signed over the de-chunked body is accepted (200)
    and the event is delivered."""
    app = apps["main"]
    ch = uniq("chunked")
    sub = ws()
    sub.subscribe(ch)
    body = event_body("chunked", ch, "de-chunked")
    pieces = [body[:7], body[7:30], body[30:]]
    assert all(pieces)
    chunked = (f"{len(pieces[0]):x}\r\n".encode() + pieces[0] + b"\r\n"
               + f"{len(pieces[1]):X};name=value\r\n".encode() + pieces[1] + b"\r\n"
               + f"{len(pieces[2]):x}\r\n".encode() + pieces[2] + b"\r\n"
               + b"0\r\nX-Trailer: yes\r\n\r\n")
    w = wire()
    w.send(events_head(server.port, app, body, framing="chunked") + chunked)
    assert_ok_empty(w.read_response())
    assert sub.wait_for("chunked", ch) == {"event": "chunked", "channel": ch, "data": "de-chunked"}
    # The trailer was consumed with the body: the connection is still in step.
    w.send(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
    assert w.read_response().status == 200


# --------------------------------------------------------------------------------------
# 4. Expect: 100-continue
# --------------------------------------------------------------------------------------


def test_expect_100_continue(server, apps, ws, wire, uniq):
    """With ``Expect: 100-continue`` and only the head sent, the server answers exactly
    ``HTTP/1.1 100 Continue\\r\\n\\r\\n``; once the body is sent, the final 200 ``{}`` follows."""
    app = apps["main"]
    ch = uniq("continue")
    sub = ws()
    sub.subscribe(ch)
    body = event_body("continued", ch, "after-100")
    w = wire()
    w.send(events_head(server.port, app, body, extra="Expect: 100-continue\r\n"))
    interim = b"HTTP/1.1 100 Continue\r\n\r\n"
    assert w.read_exact(len(interim), time.monotonic() + TIMEOUT, "100 Continue") == interim
    assert w.buf == b"", f"bytes after 100 Continue before the body was sent: {w.buf!r}"
    w.send(body)
    assert_ok_empty(w.read_response())
    assert sub.wait_for("continued", ch)["data"] == "after-100"


# --------------------------------------------------------------------------------------
# 5-8. Errors: status, JSON body, Connection: close, then the socket closes
# --------------------------------------------------------------------------------------


def test_malformed_request_line_is_400_and_closes(wire):
    """``GARBAGE\\r\\n\\r\\n`` is answered 400 with a JSON error and ``Connection: close``, and
    the server closes the socket."""
    w = wire()
    w.send(b"GARBAGE\r\n\r\n")
    resp = w.read_response()
    assert_json_error(resp, 400, "Malformed HTTP request: the request line is not METHOD TARGET VERSION")
    w.expect_closed()


def test_content_length_and_transfer_encoding_together_is_400_and_closes(server, apps, wire):
    """A request with both ``Content-Length`` and ``Transfer-Encoding: chunked`` (a smuggling
    vector) is refused 400 with ``Connection: close`` and the socket is closed."""
    body = b"{}"
    w = wire()
    head = events_head(server.port, apps["main"], body, framing="chunked", extra=f"Content-Length: {len(body)}\r\n")
    w.send(head + b"2\r\n{}\r\n0\r\n\r\n")
    assert_json_error(w.read_response(), 400, "Malformed HTTP request: both Content-Length and Transfer-Encoding")
    w.expect_closed()


def test_unsupported_transfer_encoding_is_501_and_closes(server, wire):
    """``Transfer-Encoding: gzip`` is answered 501 with ``Connection: close``, then closed."""
    w = wire()
    w.send(f"POST /apps/1001/events HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
           f"Transfer-Encoding: gzip\r\n\r\n".encode())
    assert_json_error(w.read_response(), 501, "Transfer-Encoding gzip is not supported")
    w.expect_closed()


def test_http2_request_line_is_505_and_closes(server, wire):
    """``GET /healthz HTTP/2.0`` is answered 505 with ``Connection: close``, then closed."""
    w = wire()
    w.send(f"GET /healthz HTTP/2.0\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
    assert_json_error(w.read_response(), 505, "HTTP version 2.0 is not supported")
    w.expect_closed()


def test_declared_body_over_limit_is_413_at_once_and_closes(server, apps, wire):
    """A ``Content-Length`` one byte over the 1 MiB limit is answered 413 from the head alone
    (no body byte is ever sent, so a server waiting for it would time out), then closed."""
    app = apps["main"]
    w = wire()
    w.send(f"POST {signed_events_target(app, b'x')} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
           f"Content-Type: application/json\r\nContent-Length: {MAX_REQUEST_BODY + 1}\r\n\r\n".encode())
    assert_json_error(w.read_response(), 413, f"Request body larger than {MAX_REQUEST_BODY} bytes")
    w.expect_closed()


def test_declared_body_at_limit_is_not_refused_from_the_head(server, apps, wire):
    """The limit is inclusive: ``Content-Length`` of exactly 1 MiB with ``Expect: 100-continue``
    gets ``100 Continue`` (the head is accepted), not 413."""
    app = apps["main"]
    w = wire()
    w.send(f"POST {signed_events_target(app, b'x')} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
           f"Content-Type: application/json\r\nContent-Length: {MAX_REQUEST_BODY}\r\n"
           f"Expect: 100-continue\r\n\r\n".encode())
    status, _, _, raw = w.read_head()
    assert status == 100, raw


def test_head_over_32k_is_431_and_closes(server, wire):
    """A request whose headers exceed 32 KiB is answered 431 with ``Connection: close``, then
    closed."""
    w = wire()
    w.send(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
           f"X-Huge: {'a' * (MAX_HEAD_BYTES + 1)}\r\n\r\n".encode())
    assert_json_error(w.read_response(), 431, f"Request line and headers larger than {MAX_HEAD_BYTES} bytes")
    w.expect_closed()


# --------------------------------------------------------------------------------------
# 9. Connection persistence
# --------------------------------------------------------------------------------------


def test_connection_close_request_gets_close_and_socket_closes(server, wire):
    """A valid HTTP/1.1 request with ``Connection: close`` is answered 200 with
    ``Connection: close`` and the server then closes the socket."""
    w = wire()
    w.send(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nConnection: close\r\n\r\n".encode())
    resp = w.read_response()
    assert resp.status == 200, resp.raw
    assert resp.json() == {"status": "ok"}, resp.raw
    assert (resp.header("connection") or "").lower() == "close", resp.raw
    w.expect_closed()


def test_http10_without_keep_alive_closes_after_response(wire):
    """An HTTP/1.0 request without ``Connection: keep-alive`` is answered 200 and then closed."""
    w = wire()
    w.send(b"GET /healthz HTTP/1.0\r\n\r\n")
    resp = w.read_response()
    assert resp.status == 200, resp.raw
    assert (resp.header("connection") or "").lower() == "close", resp.raw
    w.expect_closed()


def test_http10_with_keep_alive_stays_open(wire):
    """An HTTP/1.0 request with ``Connection: keep-alive`` leaves the connection open: a second
    request on the same socket is answered too."""
    w = wire()
    w.send(b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    first = w.read_response()
    assert first.status == 200, first.raw
    assert first.header("connection") is None, first.raw
    w.send(b"GET /healthz HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
    second = w.read_response()
    assert second.status == 200 and second.json() == {"status": "ok"}, second.raw


# --------------------------------------------------------------------------------------
# 10-11. WebSocket opening handshake
# --------------------------------------------------------------------------------------


def test_upgrade_with_version_8_is_426_with_version_13(server, apps, wire):
    """``Sec-WebSocket-Version: 8`` is answered 426 carrying ``Sec-WebSocket-Version: 13`` and
    ``Connection: close``, then closed."""
    w = wire()
    w.send(upgrade_request(server.port, pusher_path(apps["main"]), key=ws_key(), version="8"))
    resp = w.read_response()
    assert_json_error(resp, 426, "WebSocket version 13 is required (Sec-WebSocket-Version)")
    assert resp.header("sec-websocket-version") == "13", resp.raw
    w.expect_closed()


@pytest.mark.parametrize("key", [None, "not-a-websocket-key", base64.b64encode(os.urandom(15)).decode()],
                         ids=["missing", "garbage", "15-bytes"])
def test_upgrade_with_missing_or_invalid_key_is_400(server, apps, wire, key):
    """A missing ``Sec-WebSocket-Key``, or one that is not base64 of 16 bytes, is answered 400
    with ``Connection: close``, then closed."""
    w = wire()
    w.send(upgrade_request(server.port, pusher_path(apps["main"]), key=key))
    assert_json_error(w.read_response(), 400, "Missing or invalid Sec-WebSocket-Key")
    w.expect_closed()


def test_upgrade_returns_101_with_accept_then_connection_established(server, apps, wire):
    """A correct upgrade is answered 101 with ``Upgrade: websocket`` and the RFC 6455
    ``Sec-WebSocket-Accept`` for the key, followed by a ``pusher:connection_established`` text
    frame."""
    key = ws_key()
    w = wire()
    w.send(upgrade_request(server.port, pusher_path(apps["main"]), key=key))
    status, _, headers, raw = w.read_head()
    resp = Response(status, "", headers, b"", raw)
    assert status == 101, raw
    assert (resp.header("upgrade") or "").lower() == "websocket", raw
    assert "upgrade" in (resp.header("connection") or "").lower(), raw
    assert resp.header("sec-websocket-accept") == ws_accept(key), raw
    frame = w.read_text_json()
    assert frame.get("event") == "pusher:connection_established", frame
    assert json.loads(frame["data"]).get("socket_id"), frame


def test_frame_in_same_write_as_upgrade_is_not_lost(server, apps, wire, uniq):
    """An upgrade request followed, in the same ``sendall``, by a masked ``pusher:subscribe``
    text frame: the client gets 101, ``connection_established`` and then
    ``subscription_succeeded`` for the channel (the bytes after the handshake reach the
    WebSocket decoder)."""
    ch = uniq("same-write")
    key = ws_key()
    subscribe = json.dumps({"event": "pusher:subscribe", "data": {"channel": ch}}).encode()
    w = wire()
    w.send(upgrade_request(server.port, pusher_path(apps["main"]), key=key) + masked_frame(1, subscribe))
    status, _, headers, raw = w.read_head()
    assert status == 101, raw
    first = w.read_text_json()
    assert first.get("event") == "pusher:connection_established", first
    second = w.read_text_json()
    assert second.get("event") == "pusher_internal:subscription_succeeded", second
    assert second.get("channel") == ch, second


# --------------------------------------------------------------------------------------
# 12. Line endings and leading empty lines
# --------------------------------------------------------------------------------------


def test_leading_empty_line_before_request_line_is_skipped(server, wire):
    """A CRLF before the request line (RFC 9112 §2.2) is ignored: ``GET /healthz`` is 200."""
    w = wire()
    w.send(f"\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
    resp = w.read_response()
    assert resp.status == 200 and resp.json() == {"status": "ok"}, resp.raw


def test_bare_lf_line_endings_are_accepted(server, apps, ws, wire, uniq):
    """A request whose lines end in bare LF (RFC 9112 §2.2), including a leading empty line,
    is read like a CRLF one: ``GET /healthz`` is 200 and a signed trigger is 200 and
    delivered."""
    app = apps["main"]
    ch = uniq("bare-lf")
    sub = ws()
    sub.subscribe(ch)
    w = wire()
    w.send(f"\nGET /healthz HTTP/1.1\nHost: 127.0.0.1:{server.port}\n\n".encode())
    resp = w.read_response()
    assert resp.status == 200 and resp.json() == {"status": "ok"}, resp.raw
    body = event_body("lf", ch, "bare")
    w.send(events_head(server.port, app, body).replace(b"\r\n", b"\n") + body)
    assert_ok_empty(w.read_response())
    assert sub.wait_for("lf", ch)["data"] == "bare"


@pytest.mark.parametrize("tail", [b"1;" + b"a" * 8192, b"0\r\n" + b"X-T: " + b"a" * 40000])
def test_endless_chunk_size_or_trailer_line_is_refused_and_closed(server, apps, wire, tail):
    """A chunk-size line (with an extension) or trailers that never end are refused once past
    their bound (4 KiB for a size line, 32 KiB of trailers) instead of being buffered and
    rescanned without limit; the server stays responsive."""
    w = wire()
    w.send(events_head(server.port, apps["main"], b"{}", framing="chunked") + tail)
    resp = w.read_response()
    assert resp.status in (400, 431), resp.raw
    assert resp.header("Connection") == "close"
    w.expect_closed()
    other = wire()
    other.send(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
    assert other.read_response().status == 200


def test_head_healthz_has_the_get_head_without_a_body(server, wire):
    """``HEAD /healthz`` (load balancer health checks) gets GET's status and Content-Length but no
    body, so a GET that follows on the same connection is read correctly."""
    w = wire()
    host = f"Host: 127.0.0.1:{server.port}\r\n"
    w.send(f"HEAD /healthz HTTP/1.1\r\n{host}\r\nGET /healthz HTTP/1.1\r\n{host}\r\n".encode())
    status, _, headers, _ = w.read_head(TIMEOUT)
    assert status == 200
    length = dict((k.lower(), v) for k, v in headers)["content-length"]
    assert int(length) == len(b'{"status":"ok"}')
    resp = w.read_response()
    assert resp.status == 200 and resp.json() == {"status": "ok"}, resp.raw
