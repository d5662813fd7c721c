"""Client events: delivery rules, no echo, presence user_id, rejections with 4301."""

from __future__ import annotations

import json
import time

import pytest

from conftest import APPS, masked_frame


def assert_4301(frame):
    assert set(frame) == {"event", "data"}, frame
    assert frame["event"] == "pusher:error"
    assert frame["data"].get("code") == 4301, frame
    assert isinstance(frame["data"].get("message"), str) and frame["data"]["message"], frame


def pair(ws, channel, app="main"):
    a, b = ws(app), ws(app)
    for c in (a, b):
        c.subscribe(channel, c.app.private_auth(c.socket_id, channel))
    return a, b


@pytest.mark.parametrize("prefix", ["private", "private-encrypted", "private-cache"])
def test_client_event_reaches_others_not_sender(ws, uniq, expect_silence, prefix):
    ch = uniq(prefix)
    a, b = pair(ws, ch)
    third = ws()
    third.subscribe_private(ch)
    data = {"text": "hi", "n": 1, "nested": {"ok": True}}
    a.send({"event": "client-typing", "channel": ch, "data": data})
    for receiver in (b, third):
        assert receiver.wait_for("client-typing", ch) == {"event": "client-typing", "channel": ch, "data": data}
    cache_miss = lambda f: f.get("event") == "pusher:cache_miss"  # noqa: E731
    expect_silence(0.5, a, b, third, ignore=cache_miss)  # never echoed to the sender, delivered once


def test_string_data_stays_a_string(ws, uniq):
    ch = uniq("private-str")
    a, b = pair(ws, ch)
    payload = '{"looks":"like json"}'
    a.send({"event": "client-s", "channel": ch, "data": payload})
    assert b.wait_for("client-s", ch) == {"event": "client-s", "channel": ch, "data": payload}


def test_presence_client_event_carries_sender_user_id(ws, uniq, expect_silence):
    ch = uniq("presence-chat")
    ua, ub = uniq("ua"), uniq("ub")
    a, b = ws(), ws()
    a.subscribe_presence(ch, ua, {"n": "a"})
    b.subscribe_presence(ch, ub, {"n": "b"})
    a.wait_for("pusher_internal:member_added", ch)
    a.send({"event": "client-hello", "channel": ch, "data": {"x": 1}})
    assert b.wait_for("client-hello", ch) == {"event": "client-hello", "channel": ch, "data": {"x": 1},
                                              "user_id": ua}
    expect_silence(0.3, a)


# ---- rejections ------------------------------------------------------------------------


def test_rejected_when_app_disables_client_events(ws, uniq, expect_silence):
    ch = uniq("private-off")
    a, b = pair(ws, ch, app="noclient")
    a.send({"event": "client-x", "channel": ch, "data": {}})
    assert_4301(a.wait_for("pusher:error"))
    a.ping_pong()
    expect_silence(0.3, b)


def test_rejected_on_public_channel(ws, uniq, expect_silence):
    ch = uniq("public")
    a, b = ws(), ws()
    a.subscribe(ch)
    b.subscribe(ch)
    a.send({"event": "client-x", "channel": ch, "data": {}})
    assert_4301(a.wait_for("pusher:error"))
    a.ping_pong()
    expect_silence(0.3, b)


def test_rejected_when_sender_not_subscribed(ws, uniq, expect_silence):
    ch = uniq("private-notsub")
    b = ws()
    b.subscribe_private(ch)
    a = ws()
    a.send({"event": "client-x", "channel": ch, "data": {}})
    assert_4301(a.wait_for("pusher:error"))
    a.ping_pong()
    expect_silence(0.3, b)


def test_rejected_before_subscription_succeeded(ws, uniq, expect_silence):
    ch = uniq("private-failedsub")
    b = ws()
    b.subscribe_private(ch)
    a = ws()
    a.subscribe_error(ch, "main-key:" + "0" * 64)  # a failed subscription is no subscription
    a.send({"event": "client-x", "channel": ch, "data": {}})
    assert_4301(a.wait_for("pusher:error"))
    expect_silence(0.3, b)


def test_rejected_when_data_too_large(ws, uniq, expect_silence):
    ch = uniq("private-big")
    a, b = pair(ws, ch)
    a.send({"event": "client-big", "channel": ch, "data": "x" * 10241})
    assert_4301(a.wait_for("pusher:error"))
    a.ping_pong()
    expect_silence(0.3, b)
    # Just under the limit is fine.
    a.send({"event": "client-ok", "channel": ch, "data": "y" * 10000})
    assert b.wait_for("client-ok", ch)["data"] == "y" * 10000


def _burst(ws, uniq, app, count):
    ch = uniq("private-rate")
    a, b = pair(ws, ch, app=app)
    for i in range(count):
        a.send({"event": "client-burst", "channel": ch, "data": {"i": i}})
    a.ping_pong()  # everything sent before the ping has been handled once the pong arrives
    errors = [f for f in a.drain() if f.get("event") == "pusher:error"]
    for e in errors:
        assert_4301(e)
    b.ping_pong()
    delivered = [f for f in b.drain() if f.get("event") == "client-burst"]
    return a, b, ch, errors, delivered


def test_client_event_rate_limit_from_app_limits(ws, uniq, expect_silence):
    a, b, ch, errors, delivered = _burst(ws, uniq, "ratelimit", 8)  # limit 3 per second
    # A burst can straddle one window boundary, so at most 2 x 3 get through.
    assert 3 <= len(delivered) <= 6, delivered
    assert len(delivered) + len(errors) == 8, (delivered, errors)
    a.ping_pong()  # the connection stays open
    time.sleep(1.1)  # pacing: let the rate window pass
    a.send({"event": "client-after", "channel": ch, "data": {}})
    assert b.wait_for("client-after", ch)["data"] == {}
    expect_silence(0.2, a)


def test_client_event_default_rate_limit_is_10(ws, uniq):
    a, b, ch, errors, delivered = _burst(ws, uniq, "main", 25)
    assert 10 <= len(delivered) <= 20, len(delivered)
    assert len(delivered) + len(errors) == 25


def test_rate_limit_is_per_connection(ws, uniq):
    ch = uniq("private-perconn")
    a, b = pair(ws, ch, app="ratelimit")
    c = ws("ratelimit")
    c.subscribe_private(ch)
    for sender in (a, c):
        for i in range(3):  # exactly the limit, from each of two connections
            sender.send({"event": "client-n", "channel": ch, "data": {"i": i}})
    a.ping_pong()
    c.ping_pong()
    assert not [f for f in a.drain() + c.drain() if f.get("event") == "pusher:error"]
    for _ in range(6):
        b.wait_for("client-n", ch)


def test_presence_user_id_is_the_presence_one_not_the_signin_one(ws, uniq):
    ch = uniq("presence-ids")
    a, b = ws(), ws()
    a.signin(uniq("signed-in-as"))
    presence_id = uniq("present-as")
    a.subscribe_presence(ch, presence_id)
    b.subscribe_presence(ch, uniq("other"))
    a.send({"event": "client-who", "channel": ch, "data": "me"})
    assert b.wait_for("client-who", ch) == {"event": "client-who", "channel": ch, "data": "me",
                                            "user_id": presence_id}


def test_a_burst_of_client_events_reaches_every_loop_in_order_and_the_sender_keeps_being_read(
        ws, raw_ws, server, uniq):
    """Client events queued on other event loops pause the sender's reading until those loops have
    run them; reading then resumes. Ten events in one write (the default limit's burst) reach
    subscribers on every loop in order, and the sender's ping after them is answered."""
    sender = raw_ws(server, "/app/main-key?protocol=7")
    established = sender.read_frame()
    assert established is not None, "no connection_established"
    socket_id = json.loads(json.loads(established[1])["data"])["socket_id"]
    ch = uniq("private-burst")
    receivers = []
    for _ in range(4):  # connections are spread over the loops: some are on the sender's, some not
        c = ws()
        c.subscribe_private(ch)
        receivers.append(c)
    subscribe = {"event": "pusher:subscribe", "data": {"channel": ch, "auth": APPS["main"].private_auth(socket_id, ch)}}
    sender.sock.sendall(masked_frame(1, json.dumps(subscribe).encode()))
    frame = sender.read_frame()
    assert frame is not None and b"subscription_succeeded" in frame[1], frame
    events = [{"event": "client-n", "channel": ch, "data": {"n": n}} for n in range(10)]
    sender.sock.sendall(b"".join(masked_frame(1, json.dumps(e).encode()) for e in events)
                        + masked_frame(1, b'{"event":"pusher:ping","data":{}}'))
    frame = sender.read_frame()
    assert frame is not None and json.loads(frame[1])["event"] == "pusher:pong", frame
    for c in receivers:
        assert [c.wait_for("client-n", ch)["data"]["n"] for _ in events] == list(range(10))
