"""pysher (websocket-client, protocol 6) end to end: subscribe, auth, HTTP-triggered events."""

from __future__ import annotations

import json
import logging
import queue
import threading

import pysher
import pytest


@pytest.fixture
def pysher_client(server, apps):
    clients = []

    def make(app="main", user_data=None):
        a = apps[app]
        p = pysher.Pusher(key=a.key, secret=a.secret, secure=False, custom_host="127.0.0.1", port=server.port,
                          user_data=user_data, log_level=logging.WARNING, reconnect_interval=1)
        connected = threading.Event()
        p.connection.bind("pusher:connection_established", lambda data: connected.set())
        clients.append(p)
        p.connect()
        assert connected.wait(5), "pysher did not get pusher:connection_established"
        return p

    yield make
    for p in clients:
        p.disconnect(timeout=5)


def collect(channel, event_name):
    q: queue.Queue = queue.Queue()
    channel.bind(event_name, lambda data: q.put(data))
    return q


def occupied(sdk, channel, wait_until):
    wait_until(lambda: sdk.channel_info(channel)["occupied"], message=f"{channel} to be occupied")


def test_pysher_public_private_presence(pysher_client, api, uniq, wait_until):
    p = pysher_client(user_data={"user_id": "py-1", "user_info": {"name": "Py"}})
    sdk = api().sdk
    names = [uniq("py-public"), uniq("private-py"), uniq("presence-py")]
    queues = {}
    for name in names:
        ch = p.subscribe(name)  # pysher signs private/presence itself with the secret
        queues[name] = collect(ch, "greeting")
    for name in names:
        occupied(sdk, name, wait_until)
    assert sdk.users_info(names[2]) == {"users": [{"id": "py-1"}]}
    for name in names:
        sdk.trigger(name, "greeting", {"to": name})
    for name in names:
        data = queues[name].get(timeout=5)
        assert isinstance(data, str) and json.loads(data) == {"to": name}


def test_pysher_client_event_reaches_websockets_client(pysher_client, ws, api, uniq, wait_until):
    name = uniq("private-mixed")
    other = ws()
    other.subscribe_private(name)
    p = pysher_client()
    ch = p.subscribe(name)
    wait_until(lambda: api().sdk.channel_info(name, ["subscription_count"]).get("subscription_count") == 2,
               message="pysher's subscription")
    ch.trigger("client-from-pysher", {"n": 1})
    assert other.wait_for("client-from-pysher", name) == {"event": "client-from-pysher", "channel": name,
                                                          "data": {"n": 1}}
    # And the other way round.
    got = collect(ch, "client-from-ws")
    other.send({"event": "client-from-ws", "channel": name, "data": {"m": 2}})
    assert got.get(timeout=5) == {"m": 2}

