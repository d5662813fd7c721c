"""Connection lifecycle: handshake, ping/pong, liveness, refused connections, bad input."""

from __future__ import annotations

import json
import re
import struct
import time

import pytest
from websockets.exceptions import ConnectionClosed

SOCKET_ID_RE = re.compile(r"^\d+\.\d+$")


# ---- 1. connection_established -------------------------------------------------------


def test_connection_established_shape(ws):
    c = ws(handshake=False)
    frame = c.next_frame()
    assert set(frame) == {"event", "data"}, frame
    assert frame["event"] == "pusher:connection_established"
    assert isinstance(frame["data"], str), "data must be a JSON-encoded string"
    data = json.loads(frame["data"])
    assert set(data) == {"socket_id", "activity_timeout"}, data
    assert SOCKET_ID_RE.match(data["socket_id"]), data
    assert data["activity_timeout"] == 120


def test_activity_timeout_is_the_configured_one(ws, fast_server):
    c = ws(srv=fast_server)
    assert c.established == {"socket_id": c.socket_id, "activity_timeout": 2}


def test_socket_ids_are_unique(ws):
    ids = [ws().socket_id for _ in range(8)]
    assert all(SOCKET_ID_RE.match(i) for i in ids), ids
    assert len(set(ids)) == len(ids), ids


@pytest.mark.parametrize("protocol", ["5", "6", "7"])
def test_supported_protocol_versions(ws, protocol):
    c = ws(protocol=protocol)
    assert SOCKET_ID_RE.match(c.socket_id)
    c.ping_pong()


# ---- 2. ping / pong ----------------------------------------------------------------


def test_pusher_ping_gets_pusher_pong(ws):
    c = ws()
    c.send({"event": "pusher:ping", "data": {}})
    assert c.next_frame() == {"event": "pusher:pong", "data": {}}


def test_websocket_ping_frame_gets_pong_frame(ws):
    c = ws()
    pong = c.ws.ping(b"belfry")
    assert pong.wait(5), "no pong frame for a WebSocket ping frame"
    c.ping_pong()


# ---- 3. server liveness (fast server: activity 2 s, pong 1 s) ------------------------


def test_server_pings_idle_client_then_closes_4201(ws, fast_server):
    c = ws(srv=fast_server, auto_pong=False)
    start = time.monotonic()
    ping = c.wait_for("pusher:ping", timeout=2 + 3)
    waited = time.monotonic() - start
    assert ping == {"event": "pusher:ping", "data": {}}
    assert waited >= 1.5, f"server pinged after {waited:.2f}s, activity timeout is 2s"
    # No reply: pusher:error 4201 and close 4201 within the pong timeout (1 s) plus margin.
    code = c.wait_closed(timeout=1 + 3)
    err = [f for f in c.pending if f.get("event") == "pusher:error"]
    assert err, f"no pusher:error before close; frames: {list(c.pending)}"
    assert err[0]["data"].get("code") == 4201, err[0]
    assert isinstance(err[0]["data"].get("message"), str)
    assert code == 4201
    elapsed = time.monotonic() - start
    assert elapsed >= 2.5, f"closed after {elapsed:.2f}s, expected activity (2 s) + pong (1 s) timeouts"


def test_pong_reply_keeps_connection_alive(ws, fast_server):
    c = ws(srv=fast_server, auto_pong=False)
    start = time.monotonic()
    pings = 0
    while time.monotonic() - start < 5.5:
        frame = c.wait_for("pusher:ping", timeout=2 + 3)
        assert frame == {"event": "pusher:ping", "data": {}}
        c.send({"event": "pusher:pong", "data": {}})
        pings += 1
    assert pings >= 2
    c.ping_pong()
    assert not c.closed


def test_any_inbound_frame_counts_as_activity(ws, fast_server):
    c = ws(srv=fast_server, auto_pong=False)
    start = time.monotonic()
    # Client traffic every 0.6 s for 4 s (twice the activity timeout): the server never pings.
    while time.monotonic() - start < 4:
        c.expect_silence(0.6)  # pacing; also asserts the server sends nothing meanwhile
        c.send({"event": "pusher:pong", "data": {}})
    # Once the client goes quiet, the ping does come.
    quiet = time.monotonic()
    assert c.wait_for("pusher:ping", timeout=2 + 3) == {"event": "pusher:ping", "data": {}}
    assert time.monotonic() - quiet >= 1.5


# ---- 10. refused connections ----------------------------------------------------------


def test_unknown_app_key_is_refused_4001(refused, apps):
    from dataclasses import replace

    refused(4001, app=replace(apps["main"], key="no-such-key"))


def test_disabled_app_is_refused_4003(refused):
    refused(4003, app="disabled")


@pytest.fixture
def maxconn(ws, wait_until):
    """Open a connection to the maxConnections=2 app, retrying while slots of connections that
    just closed (in this or an earlier test) are still being released."""

    def connect():
        def attempt():
            c = ws("maxconn", handshake=False)
            frame = c.next_frame()
            if frame.get("event") == "pusher:connection_established":
                c.pending.appendleft(frame)
                c.handshake()
                return c
            assert frame.get("event") == "pusher:error" and frame["data"].get("code") == 4004, frame
            c.close()
            return None

        return wait_until(attempt, timeout=5, interval=0.1, message="a free maxconn slot")

    return connect


def test_max_connections_refuses_the_third_4004(maxconn, refused):
    a = maxconn()
    b = maxconn()
    refused(4004, app="maxconn")
    a.ping_pong()
    b.ping_pong()
    a.close()
    c = maxconn()  # after one closes, a new connection is accepted
    c.ping_pong()
    b.ping_pong()
    refused(4004, app="maxconn")


def test_path_not_found_4005(refused):
    refused(4005, path="/foo/bar")


def test_missing_protocol_4008(refused):
    refused(4008, protocol=None)


@pytest.mark.parametrize("protocol", ["3", "abc"])
def test_unsupported_protocol_4007(refused, protocol):
    refused(4007, protocol=protocol)


# The "origins" app allows example.com and *.good.test (host patterns: any scheme and port) and the
# origins https://shop.example.net and http://localhost:8080 (scheme, host and port exactly).
@pytest.mark.parametrize("origin", ["http://example.com", "https://example.com:8443", "https://a.good.test",
                                    "https://x.y.good.test", "https://shop.example.net",
                                    "https://shop.example.net:443", "http://localhost:8080"])
def test_allowed_origin_is_accepted(ws, origin):
    c = ws("origins", origin=origin)
    c.ping_pong()


@pytest.mark.parametrize("origin", ["https://evil.test", "https://example.com.evil.test", "https://notexample.com",
                                    "https://good.test.evil.com"])
def test_foreign_origin_is_refused_4009(refused, origin):
    refused(4009, app="origins", origin=origin)


@pytest.mark.parametrize("origin", ["http://shop.example.net", "https://shop.example.net:8443",
                                    "http://localhost", "http://localhost:8081", "https://localhost:8080"])
def test_origin_entry_refuses_another_scheme_or_port_4009(refused, origin):
    refused(4009, app="origins", origin=origin)


@pytest.mark.parametrize("app", ["main", "noclient"])
@pytest.mark.parametrize("origin", [None, "https://anything.example"])
def test_any_origin_apps_accept_everything(ws, app, origin):
    ws(app, origin=origin).ping_pong()


def test_user_authentication_timeout_4009(ws, fast_server):
    # auto_pong off: the server's ping (activity timeout 2 s) and the kick (user-auth timeout 2 s) coincide,
    # and a pong racing the close would make the server reset the connection (see the close-handshake test).
    c = ws("userauth", srv=fast_server, auto_pong=False)  # accepted first
    start = time.monotonic()
    code = c.wait_closed(timeout=2 + 3)
    err = [f for f in c.pending if f.get("event") == "pusher:error"]
    assert err and err[0]["data"].get("code") == 4009, list(c.pending)
    assert code == 4009
    assert time.monotonic() - start >= 1.5


def test_public_subscription_does_not_authorize_connection(ws, fast_server, uniq):
    c = ws("userauth", srv=fast_server, auto_pong=False)
    c.subscribe(uniq("public"))
    assert c.wait_closed(timeout=2 + 3) == 4009


def test_signed_in_connection_is_not_kicked(ws, fast_server, uniq):
    c = ws("userauth", srv=fast_server)
    c.signin(uniq("user"))
    c.drain()
    c.expect_silence(3, ignore=lambda f: f.get("event") == "pusher_internal:watchlist_events")
    c.ping_pong()


def test_private_subscription_authorizes_connection(ws, fast_server, uniq):
    c = ws("userauth", srv=fast_server)
    c.subscribe_private(uniq("private-ok"))
    c.expect_silence(3)
    c.ping_pong()


# ---- 11. bad input never crashes the server ----------------------------------------------


BAD_INPUTS = {
    "invalid-json": "{not json",
    "json-array": "[1, 2, 3]",
    "json-null": "null",
    "no-event": json.dumps({"data": {"channel": "x"}}),
    "empty-object": "{}",
    "unknown-pusher-event": json.dumps({"event": "pusher:foo", "data": {}}),
    "subscribe-without-data": json.dumps({"event": "pusher:subscribe"}),
    "subscribe-without-channel": json.dumps({"event": "pusher:subscribe", "data": {}}),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_gets_error_and_connection_stays_usable(ws, name):
    c = ws()
    c.send_raw(BAD_INPUTS[name])
    err = c.wait_for("pusher:error")
    assert set(err) == {"event", "data"}, err
    assert "code" in err["data"] and err["data"]["code"] is None, err
    assert isinstance(err["data"].get("message"), str) and err["data"]["message"], err
    c.ping_pong()


def test_binary_frame_gets_error_and_connection_stays_usable(ws):
    c = ws()
    c.send_raw(b"\x00\x01\x02 binary \xff")
    err = c.wait_for("pusher:error")
    assert err["data"].get("code") is None and isinstance(err["data"].get("message"), str), err
    c.ping_pong()


# ---- more protocol edge cases ----------------------------------------------------------


@pytest.mark.parametrize("protocol", ["1", "4"])
def test_old_protocols_are_refused_4007(refused, protocol):
    refused(4007, protocol=protocol)


def test_null_origin_is_refused_for_restricted_app(refused):
    refused(4009, app="origins", origin="null")


def test_presence_subscription_authorizes_connection(ws, fast_server, uniq):
    c = ws("userauth", srv=fast_server)
    c.subscribe_presence(uniq("presence-ok"), uniq("member"))
    c.expect_silence(3)
    c.ping_pong()


def test_fragmented_message_is_reassembled(ws, uniq):
    c = ws()
    ch = uniq("fragmented")
    text = json.dumps({"event": "pusher:subscribe", "data": {"channel": ch, "auth": ""}})
    c.ws.send([text[:10], text[10:25], text[25:]])  # one message in three WebSocket frames
    c.wait_succeeded(ch)
    c.ping_pong()


def test_oversized_frame_does_not_hurt_the_server(ws):
    bystander = ws()
    c = ws()
    try:
        c.send({"event": "client-huge", "channel": "private-x", "data": "x" * 300_000})
        c.ping_pong()  # either an error and the connection lives on ...
    except (AssertionError, ConnectionClosed, OSError):
        pass  # ... or the server closes this one connection; both are fine
    bystander.ping_pong()
    ws().ping_pong()


def test_abrupt_disconnect_frees_max_connections_slot(maxconn, refused):
    a = maxconn()
    maxconn()
    refused(4004, app="maxconn")
    a.drop()
    maxconn().ping_pong()


@pytest.mark.parametrize("path,code", [("/app/no-such-key?protocol=7", 4001), ("/app/main-key", 4008)])
def test_server_waits_for_the_close_handshake(raw_ws, server, path, code):
    """RFC 6455 §7.1.1/§5.5.1: after its close frame the server waits for the client's close frame before
    closing TCP. Closing at once makes the kernel answer any frame the client is still sending with a RST,
    which throws away the pusher:error and the close frame (the client then sees 1006, not the code)."""
    c = raw_ws(server, path)
    op, data = c.read_frame()
    assert op == 1 and json.loads(data)["data"]["code"] == code, data
    op, data = c.read_frame()
    assert op == 8 and struct.unpack("!H", data[:2])[0] == code, data
    try:
        eof = c.read_frame(timeout=0.5) is None  # asserting silence: the connection stays up meanwhile
    except AssertionError:
        eof = False  # timed out: still connected
    assert not eof, "the server closed TCP right after its close frame, without waiting for the client's"
    c.send_close(code)
    assert c.read_frame(timeout=3) is None, "the server should close TCP once the close handshake is done"
