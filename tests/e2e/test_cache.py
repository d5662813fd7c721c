"""Cache channels: last HTTP event replayed after subscribe, cache_miss otherwise, TTL."""

from __future__ import annotations

import json
import time

import pytest


def subscribe_any(client, channel):
    """Subscribe to a cache channel of any type, computing the auth it needs."""
    if channel.startswith("presence-"):
        return client.subscribe_presence(channel, "cache-user-" + client.socket_id.replace(".", "-"))
    if channel.startswith("private-"):
        return client.subscribe_private(channel)
    return client.subscribe(channel)


PREFIXES = ["cache", "private-cache", "presence-cache", "private-encrypted-cache"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_cache_miss_on_empty_cache(ws, uniq, prefix):
    c = ws()
    ch = uniq(prefix)
    subscribe_any(c, ch)
    assert c.next_frame() == {"event": "pusher:cache_miss", "channel": ch}


@pytest.mark.parametrize("prefix", PREFIXES)
def test_last_triggered_event_is_replayed(ws, api, uniq, prefix):
    ch = uniq(prefix)
    a = api()
    # Encrypted channels: the SDK would encrypt; the server only forwards, so sign by hand.
    for i, data in enumerate(['{"n":1}', '{"n":2}']):
        r = a.trigger({"name": f"ev{i}", "channels": [ch], "data": data})
        assert r.status_code == 200, r.text
    c = ws()
    subscribe_any(c, ch)
    assert c.next_frame() == {"event": "ev1", "channel": ch, "data": '{"n":2}'}
    c.expect_silence(0.3)


def test_cache_with_sdk_trigger_and_live_delivery(ws, api, uniq):
    ch = uniq("cache")
    sdk = api().sdk
    live = ws()
    live.subscribe(ch)
    assert live.next_frame() == {"event": "pusher:cache_miss", "channel": ch}
    sdk.trigger(ch, "price", {"eur": 10})
    assert live.wait_for("price", ch) == {"event": "price", "channel": ch, "data": json.dumps({"eur": 10})}
    late = ws()
    late.subscribe(ch)
    assert late.next_frame() == {"event": "price", "channel": ch, "data": json.dumps({"eur": 10})}


def test_client_events_are_not_cached(ws, uniq):
    ch = uniq("private-cache")
    a, b = ws(), ws()
    for c in (a, b):
        c.subscribe_private(ch)
        assert c.next_frame() == {"event": "pusher:cache_miss", "channel": ch}
    a.send({"event": "client-note", "channel": ch, "data": {"v": 1}})
    assert b.wait_for("client-note", ch)["data"] == {"v": 1}
    late = ws()
    late.subscribe_private(ch)
    assert late.next_frame() == {"event": "pusher:cache_miss", "channel": ch}


def test_cache_expires_after_ttl(ws, api, uniq, fast_server, wait_until):
    ch = uniq("cache-ttl")
    r = api(srv=fast_server).trigger({"name": "tick", "channel": ch, "data": "t"})
    assert r.status_code == 200, r.text
    triggered = time.monotonic()
    first = ws(srv=fast_server)
    first.subscribe(ch)
    assert first.next_frame() == {"event": "tick", "channel": ch, "data": "t"}

    def cached_event():
        c = ws(srv=fast_server)
        c.subscribe(ch)
        frame = c.next_frame()
        c.close()
        assert frame in ({"event": "tick", "channel": ch, "data": "t"},
                         {"event": "pusher:cache_miss", "channel": ch}), frame
        return frame["event"] == "pusher:cache_miss"

    wait_until(cached_event, timeout=2 + 4, interval=0.2, message="the cache entry to expire (ttl 2 s)")
    assert time.monotonic() - triggered >= 1.5, "cache expired well before the 2 s TTL"
