"""Redis clustering (issue 15) end to end: ``belfry serve --redis-url`` nodes on one
``redis-server``, real Pusher clients on different nodes, and the cluster behaving as one server:
HTTP publishes and client events reach every node once, presence rosters and member events are
cluster-wide, the HTTP API's counts agree on every node, server-to-user and
terminate_connections cross nodes, cache channels replay on other nodes, webhooks are sent once
per cluster, a killed node's members and channels are cleaned up by the others, a restarted
redis-server is reconnected to without restarting a node, prefixes separate deployments on one
Redis, maxConnections counts the whole cluster, and a generated secret and a rotation's grace
period are the same on every node.

One 3-node cluster (A, B, C) is shared by the tests that kill nothing; the node-kill and
Redis-restart tests start clusters of their own. Nothing sleeps to wait: frames are awaited with
deadlines, HTTP state is polled with deadlines; sleeps only assert silence (exactly once).
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest
import requests

from cluster_support import (CL, CLFLOOD, CLHOOK, CLMAX, NODE_DEATH_DEADLINE, REDIS_RECOVERY_DEADLINE, WEBHOOK_DEADLINE,
                             ClusterNode, Deployment, RedisServer, redis_command, wait_nodes_ready)
from conftest import Api, App, WsClient, frame_repr, wait_until
from test_webhook_delivery import Receiver, assert_pusher_format


# --------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hooks() -> Iterable[Receiver]:
    """One webhook receiver for every deployment of this module (tests look at their own channels)."""
    r = Receiver()
    yield r
    r.close()


def _stop(dep: Deployment) -> None:
    bad = dep.stop()
    assert not bad, f"nodes that did not exit with 0 after SIGTERM: {bad}\n" + "\n".join(
        f"--- {n.name} ---\n{n.log_tail(limit=3000)}" for n in dep.nodes if n.name in dict(bad))


@pytest.fixture(scope="module")
def shared(_tmp_root: Path, hooks: Receiver) -> Iterable[Deployment]:
    """Nodes A, B and C on one redis-server (default prefix), shared by the tests that kill nothing."""
    root = _tmp_root / f"cluster-{uuid.uuid4().hex[:8]}"
    redis = RedisServer(root / "redis")
    dep = Deployment(root, redis, hooks.url("/shared"))
    try:
        redis.start()
        dep.start("A", "B", "C")
        yield dep
        _stop(dep)
    finally:
        dep.kill()
        dep.forget()
        redis.kill()


@pytest.fixture
def cluster(shared: Deployment) -> Iterable[list[ClusterNode]]:
    """[A, B, C] of the shared cluster; a node that died in an earlier test is started again, one that
    dies during this test fails it."""
    dead = [n for n in shared.nodes if not n.alive()]
    if dead:
        for n in dead:
            n.launch()
        wait_nodes_ready(dead, expect_peers=shared.nodes)
    yield shared.nodes
    died = [n for n in shared.nodes if not n.alive()]
    if died:
        pytest.fail("node(s) died during this test: " + ", ".join(
            f"{n.name} (exit {n.proc.returncode if n.proc else '?'})\n--- log ---\n{n.log_tail(n.log_mark)}"
            for n in died), pytrace=False)


@pytest.fixture
def deploy(_tmp_root: Path, hooks: Receiver) -> Iterable[Callable[..., Deployment]]:
    """``deploy(prefix=None, redis=None, hook_path="/own", via_env=False, tls=False, trust_ca=True)``: a
    deployment owned by this test, on its own redis-server unless one is given (``via_env``: configured
    by BELFRY_REDIS_URL, BELFRY_REDIS_PREFIX and BELFRY_REDIS_CA_FILE instead of flags; ``tls``: that
    redis-server serves TLS with a test CA, given to the nodes unless ``trust_ca`` is false). Its nodes
    are stopped (exit 0 asserted) at teardown."""
    made: list[tuple[Deployment, bool]] = []

    def make(prefix: str | None = None, redis: RedisServer | None = None, hook_path: str = "/own",
             via_env: bool = False, tls: bool = False, trust_ca: bool = True) -> Deployment:
        root = _tmp_root / f"dep-{uuid.uuid4().hex[:8]}"
        own = redis is None
        if redis is None:
            redis = RedisServer(root / "redis", tls=tls).start()
        dep = Deployment(root, redis, hooks.url(hook_path), prefix, via_env, trust_ca)
        made.append((dep, own))
        return dep

    yield make
    try:
        for dep, _ in made:
            if not dep.redis.alive() and dep.redis.port:
                dep.redis.start()  # a node's graceful exit may want its Redis
            _stop(dep)
    finally:
        for dep, own in made:
            dep.kill()
            dep.forget()
            if own:
                dep.redis.kill()


@pytest.fixture
def cws() -> Iterable[Callable[..., WsClient]]:
    """``cws(node, app=CL, handshake=True)``: a Pusher client on one node of a cluster."""
    clients: list[WsClient] = []

    def open_ws(node: ClusterNode, app: App = CL, handshake: bool = True) -> WsClient:
        client = WsClient(node.ws_url(app.key), app)
        clients.append(client)
        if handshake:
            client.handshake()
        return client

    yield open_ws
    for c in clients:
        c.close()


def capi(node: ClusterNode, app: App = CL) -> Api:
    """The official SDK (``.sdk``) and a hand-signed client (``.request``) against one node."""
    return Api(node, app)


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def event(name: str, channel: str, data: Any) -> dict[str, Any]:
    return {"event": name, "channel": channel, "data": data}


def presence_data(frame: dict[str, Any], channel: str) -> dict[str, Any]:
    assert frame["event"] == "pusher_internal:subscription_succeeded" and frame["channel"] == channel, frame
    assert isinstance(frame["data"], str), frame
    return json.loads(frame["data"])["presence"]


def assert_member_added(frame: dict[str, Any], channel: str, user_id: str, user_info: Any) -> None:
    assert frame["event"] == "pusher_internal:member_added" and frame["channel"] == channel, frame
    assert json.loads(frame["data"]) == {"user_id": user_id, "user_info": user_info}, frame


def assert_member_removed(frame: dict[str, Any], channel: str, user_id: str) -> None:
    assert frame["event"] == "pusher_internal:member_removed" and frame["channel"] == channel, frame
    assert json.loads(frame["data"]) == {"user_id": user_id}, frame


class PresenceView:
    """What one presence client believes the members are: its subscription_succeeded roster plus the
    member_added / member_removed frames after it. A member_added for a user already there or a
    member_removed for one not there is a problem (pusher-js would tell the app twice). A later
    subscription_succeeded replaces the list, as pusher-js's Members.onSubscription does (a node
    sends one after its link to Redis came back)."""

    def __init__(self, client: WsClient, channel: str, succeeded: dict[str, Any]) -> None:
        self.client = client
        self.channel = channel
        self.members = set(presence_data(succeeded, channel)["ids"])
        self.problems: list[str] = []

    def apply(self, frame: dict[str, Any]) -> None:
        user = json.loads(frame["data"])["user_id"]
        if frame["event"] == "pusher_internal:member_added":
            if user in self.members:
                self.problems.append(f"member_added for {user}, already a member: {json.dumps(frame)}")
            self.members.add(user)
        else:
            if user not in self.members:
                self.problems.append(f"member_removed for {user}, not a member: {json.dumps(frame)}")
            self.members.discard(user)

    def poll(self) -> set[str]:
        """Apply the member frames received so far (without waiting); the members now."""
        for f in self.client.drain():
            if f.get("channel") == self.channel and f.get("event") in (
                    "pusher_internal:member_added", "pusher_internal:member_removed"):
                self.apply(f)
            elif f.get("channel") == self.channel and f.get("event") == "pusher_internal:subscription_succeeded":
                self.members = set(presence_data(f, self.channel)["ids"])
            else:
                self.problems.append(f"unexpected frame {json.dumps(f)}")
        return self.members


def user_ids(node: ClusterNode, channel: str, app: App = CL) -> list[str]:
    """GET /apps/ID/channels/CHANNEL/users on ``node``, the ids sorted."""
    return sorted(u["id"] for u in capi(node, app).sdk.users_info(channel)["users"])


def hook_events(receiver: Receiver, channels: Iterable[str], path: str) -> list[dict[str, Any]]:
    wanted = set(channels)
    return [e for e in receiver.events(path) if e.get("channel") in wanted]


def hook_counts(receiver: Receiver, channels: Iterable[str], path: str) -> Counter:
    """(name, channel, user_id or None) -> how many times the receiver got it."""
    return Counter((e["name"], e["channel"], e.get("user_id")) for e in hook_events(receiver, channels, path))


def refused_4004(client: WsClient) -> None:
    """Mirrors conftest's ``refused``: pusher:error 4004 first, then close 4004, never established."""
    close_code = client.wait_closed()
    frames = list(client.pending)
    assert not any(f.get("event") == "pusher:connection_established" for f in frames), frame_repr(frames)
    assert frames and frames[0].get("event") == "pusher:error", f"no pusher:error before close {close_code}: " \
                                                                 f"{frame_repr(frames)}"
    err = frames[0]
    assert set(err) == {"event", "data"} and err["data"].get("code") == 4004, err
    assert isinstance(err["data"].get("message"), str) and err["data"]["message"], err
    assert close_code == 4004, f"expected close code 4004, got {close_code}"


def connect_outcome(cws: Callable[..., WsClient], node: ClusterNode, app: App) -> tuple[str, WsClient]:
    """Open a connection and say whether it was ``accepted`` (handshake done) or ``refused``."""
    c = cws(node, app, handshake=False)
    frame = c.next_frame()
    c.pending.appendleft(frame)
    if frame.get("event") == "pusher:connection_established":
        c.handshake()
        return "accepted", c
    return "refused", c


# --------------------------------------------------------------------------------------
# The shared cluster: membership and metrics
# --------------------------------------------------------------------------------------


def assert_cluster_check(node: ClusterNode, body: dict[str, Any], ids: list[str]) -> None:
    check = body["checks"]["cluster"]
    assert isinstance(check, dict), f"{node.name}: /readyz?verbose without the cluster figures: {body}"
    assert check["status"] == "ok" and check["link"] == "connected" and check["node"] == node.node_id, check
    entries = {n["id"]: n for n in check["nodes"]}
    assert set(entries) == set(ids), f"{node.name} lists {sorted(entries)}, expected {sorted(ids)}"
    for e in entries.values():
        assert e["alive"] is True and isinstance(e["connections"], int) and isinstance(e["revision"], str), e
    assert len({e["revision"] for e in entries.values()}) == 1, f"same manifests, one revision: {entries}"


def test_every_node_lists_the_cluster_in_readyz(cluster, cws, wait_until):
    A, B, C = cluster
    ids = [n.node_id for n in cluster]
    assert all(isinstance(i, str) and re.fullmatch(r"[0-9a-f]{32}", i) for i in ids), ids
    assert len(set(ids)) == 3, f"node ids must differ: {ids}"
    for node in cluster:
        code, body = node.readyz(port="public")  # the public port's answers the same
        assert code == 200 and body["status"] == "ready", body
        assert_cluster_check(node, body, ids)

    # The connection counts each node announces reach the others (refreshed every second).
    opened = [cws(B) for _ in range(3)]

    def b_seen_from(node: ClusterNode) -> int:
        return next((n["connections"] for n in node.cluster_check().get("nodes") or [] if n["id"] == B.node_id), -1)

    for node in (A, C):
        wait_until(lambda: b_seen_from(node) >= 3, timeout=5, interval=0.2,
                   message=f"{node.name} to see B's 3 connections")
    for c in opened:
        c.close()
    for node in (A, C):
        wait_until(lambda: b_seen_from(node) == 0, timeout=5, interval=0.2,
                   message=f"{node.name} to see B's connections back at 0")


def test_admin_port_readyz_and_metrics_show_the_cluster(cluster):
    ids = [n.node_id for n in cluster]
    for node in cluster:
        code, body = node.readyz(port="admin")
        assert code == 200 and body["status"] == "ready", body
        assert_cluster_check(node, body, ids)
    for node in cluster:
        assert node.metric("belfry_cluster_nodes") == 3, f"{node.name}: belfry_cluster_nodes"
        assert node.metric("belfry_cluster_link_up") == 1, f"{node.name}: belfry_cluster_link_up"


# --------------------------------------------------------------------------------------
# 1, 2: publishes and client events
# --------------------------------------------------------------------------------------


def test_http_publish_on_any_node_reaches_every_node_once(cluster, cws, uniq, expect_silence):
    ch = uniq("cl-pub")
    subs = [cws(n) for n in cluster]
    for s in subs:
        s.subscribe(ch)
    for i, source in enumerate(cluster):
        payload = {"from": source.name, "n": i}
        capi(source).sdk.trigger(ch, "news", payload)
        for s in subs:
            assert s.wait_for("news", ch) == event("news", ch, json.dumps(payload))
    expect_silence(1.0, *subs)  # no node delivered twice (e.g. locally and again from Redis)


def test_client_events_reach_other_nodes_never_the_sender(cluster, cws, uniq, expect_silence):
    A, B, C = cluster
    ch = uniq("private-cl-chat")
    a, b, c = cws(A), cws(B), cws(C)
    for x in (a, b, c):
        x.subscribe_private(ch)
    a.send({"event": "client-typing", "channel": ch, "data": {"text": "hi"}})
    for receiver in (b, c):
        assert receiver.wait_for("client-typing", ch) == event("client-typing", ch, {"text": "hi"})
    expect_silence(1.0, a, b, c)  # never echoed to the sender, once each
    c.send({"event": "client-reply", "channel": ch, "data": {"n": 2}})
    for receiver in (a, b):
        assert receiver.wait_for("client-reply", ch) == event("client-reply", ch, {"n": 2})
    expect_silence(1.0, a, b, c)


def test_socket_id_exclusion_works_across_nodes(cluster, cws, uniq, expect_silence):
    A, B, C = cluster
    ch = uniq("cl-excl")
    a, b, c = cws(A), cws(B), cws(C)
    for x in (a, b, c):
        x.subscribe(ch)
    capi(A).sdk.trigger(ch, "not-for-b", "1", socket_id=b.socket_id)
    for x in (a, c):
        assert x.wait_for("not-for-b", ch) == event("not-for-b", ch, "1")
    capi(C).sdk.trigger(ch, "marker", "2")
    assert b.next_frame() == event("marker", ch, "2")  # `not-for-b` would have come first
    for x in (a, c):
        assert x.wait_for("marker", ch) == event("marker", ch, "2")
    expect_silence(1.0, a, b, c)


# --------------------------------------------------------------------------------------
# 3, 4: presence and counts
# --------------------------------------------------------------------------------------


def test_presence_is_cluster_wide(cluster, cws, uniq, expect_silence, wait_until):
    A, B, C = cluster
    ch = uniq("presence-cl")
    u0, u1, u2 = uniq("u0"), uniq("u1"), uniq("u2")
    a = cws(A)
    assert presence_data(a.subscribe_presence(ch, u1, {"name": "One"}), ch) == {
        "ids": [u1], "hash": {u1: {"name": "One"}}, "count": 1}
    watcher = cws(C)
    p = presence_data(watcher.subscribe_presence(ch, u0, {"name": "Zero"}), ch)
    assert sorted(p["ids"]) == sorted([u0, u1]) and p["count"] == 2, p
    assert_member_added(a.wait_for("pusher_internal:member_added", ch), ch, u0, {"name": "Zero"})

    b = cws(B)
    p = presence_data(b.subscribe_presence(ch, u2, {"name": "Two"}), ch)
    assert sorted(p["ids"]) == sorted([u0, u1, u2]), f"roster on B must hold the members of A and C: {p}"
    assert p["hash"] == {u0: {"name": "Zero"}, u1: {"name": "One"}, u2: {"name": "Two"}}, p
    assert p["count"] == 3, p
    for observer in (a, watcher):
        assert_member_added(observer.wait_for("pusher_internal:member_added", ch), ch, u2, {"name": "Two"})

    # u2's second connection, on C: no member_added anywhere.
    b2 = cws(C)
    p = presence_data(b2.subscribe_presence(ch, u2, {"name": "Two"}), ch)
    assert p["count"] == 3 and sorted(p["ids"]) == sorted([u0, u1, u2]), p
    expect_silence(1.5, a, watcher, b, b2)
    for node in cluster:
        assert user_ids(node, ch) == sorted([u0, u1, u2]), f"GET users on {node.name}"

    # Closing one of u2's two connections: no member_removed.
    b.close()
    expect_silence(1.5, a, watcher, b2)
    for node in cluster:
        assert user_ids(node, ch) == sorted([u0, u1, u2]), f"GET users on {node.name} after one of u2's closed"

    # Closing the last: member_removed, once per client, everywhere.
    b2.close()
    for observer in (a, watcher):
        assert_member_removed(observer.wait_for("pusher_internal:member_removed", ch), ch, u2)
    expect_silence(1.0, a, watcher)
    for node in cluster:
        wait_until(lambda: user_ids(node, ch) == sorted([u0, u1]), message=f"GET users on {node.name} without u2")


def test_http_api_counts_are_equal_on_every_node(cluster, cws, uniq, wait_until):
    A, B, C = cluster
    tag = uniq("cnt")
    pub, pres = f"{tag}-pub", f"presence-{tag}"
    u1, u2 = uniq("cu1"), uniq("cu2")
    pub_subs = [cws(A), cws(B), cws(B), cws(C)]
    for s in pub_subs:
        s.subscribe(pub)
    pres_subs = [(cws(A), u1), (cws(B), u1), (cws(C), u2)]
    for s, uid in pres_subs:
        s.subscribe_presence(pres, uid)

    def counts(node: ClusterNode) -> dict[str, Any]:
        sdk = capi(node).sdk
        return {
            "channels": sdk.channels_info(prefix_filter=f"{tag}-", attributes=["subscription_count"]),
            "presence": sdk.channels_info(prefix_filter=pres, attributes=["user_count"]),
            "pub": sdk.channel_info(pub, ["subscription_count"]),
            "pres": sdk.channel_info(pres, ["user_count", "subscription_count"]),
        }

    expected = {
        "channels": {"channels": {pub: {"subscription_count": 4}}},
        "presence": {"channels": {pres: {"user_count": 2}}},
        "pub": {"occupied": True, "subscription_count": 4},
        "pres": {"occupied": True, "user_count": 2, "subscription_count": 3},
    }
    for node in cluster:
        wait_until(lambda: counts(node) == expected, timeout=5, interval=0.2, message=f"counts on {node.name}")
    for node in cluster:
        r = capi(node).trigger({"name": "n", "channels": [pub, pres], "data": "d",
                                "info": "user_count,subscription_count"})
        assert r.status_code == 200, r.text
        assert r.json() == {"channels": {pub: {"subscription_count": 4},
                                         pres: {"user_count": 2, "subscription_count": 3}}}, node.name

    # Leaving is counted everywhere too: one of B's two, then the rest.
    pub_subs[1].close()
    pres_subs[1][0].close()
    for node in cluster:
        wait_until(lambda: counts(node)["pub"] == {"occupied": True, "subscription_count": 3}
                   and counts(node)["pres"] == {"occupied": True, "user_count": 2, "subscription_count": 2},
                   timeout=5, interval=0.2, message=f"counts after two closes on {node.name}")
    for s in pub_subs:
        s.close()
    for node in cluster:
        wait_until(lambda: capi(node).sdk.channel_info(pub) == {"occupied": False}
                   and capi(node).sdk.channels_info(prefix_filter=f"{tag}-") == {"channels": {}},
                   timeout=5, interval=0.2, message=f"{pub} vacated on {node.name}")


# --------------------------------------------------------------------------------------
# 5, 6: server-to-user and cache channels
# --------------------------------------------------------------------------------------


def test_send_to_user_and_terminate_connections_cross_nodes(cluster, cws, uniq, expect_silence):
    A, B, C = cluster
    uid, other = uniq("ux"), uniq("uy")
    on_b = cws(B)
    on_b.signin(uid)
    on_c = cws(C)
    on_c.signin(uid)
    on_c.subscribe(f"#server-to-user-{uid}", "")
    bystander = cws(A)
    bystander.signin(other)
    anonymous = cws(C)

    capi(A).sdk.send_to_user(uid, "notice", {"msg": "hello"})
    expected = event("notice", f"#server-to-user-{uid}", json.dumps({"msg": "hello"}))
    for c in (on_b, on_c):
        assert c.wait_for("notice") == expected
    expect_silence(1.0, on_b, on_c, bystander, anonymous)

    a = capi(A)
    r = a.request("POST", a.path(f"users/{uid}/terminate_connections"), body={})
    assert r.status_code == 200 and r.json() == {}, r.text
    for c in (on_b, on_c):
        assert c.wait_closed() == 4009
        errors = [f for f in c.pending if f.get("event") == "pusher:error"]
        assert errors and errors[0]["data"].get("code") == 4009, list(c.pending)
    for c in (bystander, anonymous):
        c.ping_pong()
        assert not c.closed


def test_cache_channel_replays_on_other_nodes(cluster, cws, uniq):
    A, B, C = cluster
    ch, empty = uniq("cache-cl"), uniq("cache-cl-empty")
    capi(A).sdk.trigger(ch, "price", {"eur": 10})
    # The event reaches the other nodes (over the bus, and Redis) after the publish has answered:
    # wait until every node reports it before subscribing there.
    for node in (B, C, A):
        wait_until(lambda: capi(node).sdk.channel_info(ch, ["cache"]).get("cache", {}).get("event") == "price",
                   message=f"cached event on {node.name}'s API")
    subscribers = {}
    for node in (B, C, A):
        c = subscribers[node.name] = cws(node)
        c.subscribe(ch)
        assert c.next_frame() == event("price", ch, json.dumps({"eur": 10})), f"cached event on {node.name}"
        c.expect_silence(0.3)
    miss = cws(B)
    miss.subscribe(empty)
    assert miss.next_frame() == {"event": "pusher:cache_miss", "channel": empty}
    # A newer event on B replaces the cached one for every node: once C has it (its subscriber
    # got it over the bus), a late subscriber on C is replayed the new one.
    capi(B).sdk.trigger(ch, "price", {"eur": 11})
    assert subscribers[C.name].next_frame() == event("price", ch, json.dumps({"eur": 11}))
    late = cws(C)
    late.subscribe(ch)
    assert late.next_frame() == event("price", ch, json.dumps({"eur": 11}))


def test_a_node_started_after_a_cache_event_replays_it_from_redis(deploy, cws, uniq, wait_until):
    """A rolling deploy: the last event of a cache channel is kept in Redis (for --cache-ttl) too, so
    a node that was not running when it was published reports it (info=cache) and replays it, after
    subscription_succeeded, presence channels included, and keeps what it fetched."""
    dep = deploy()
    [early] = dep.start("early")
    ch, pres, empty = uniq("cache-late"), uniq("presence-cache-late"), uniq("cache-late-empty")
    burst = uniq("cache-late-burst")
    data = json.dumps({"eur": 12})
    capi(early).sdk.trigger([ch, pres, burst], "price", {"eur": 12})

    key = f"belfry:cache:{CL.id}:{ch}"
    wait_until(lambda: redis_command(dep.redis.port, "EXISTS", key) == 1, message=f"{key} in Redis")
    assert json.loads(redis_command(dep.redis.port, "GET", key)) == {"event": "price", "data": data}
    assert 0 < redis_command(dep.redis.port, "PTTL", key) <= 1800 * 1000, "expires with the default --cache-ttl"
    # The app's index of cached channels, which bounds how many it keeps (maxCacheEntriesPerApp).
    assert redis_command(dep.redis.port, "ZSCORE", f"belfry:cidx:{CL.id}", ch) is not None

    [late] = dep.start("late")
    info = capi(late).sdk.channel_info(ch, ["cache"])
    assert info["cache"]["event"] == "price" and info["cache"]["data"] == data, info
    assert 0 < info["cache"]["ttl"] <= 1800, info
    c = cws(late)
    c.subscribe(ch)
    assert not c.pending, f"frames before subscription_succeeded: {frame_repr(c.pending)}"
    assert c.next_frame() == event("price", ch, data)
    # The late node keeps what it fetched: once Redis has forgotten it, the next subscriber and
    # info=cache still get it from the node, with no more than the time Redis gave it.
    assert redis_command(dep.redis.port, "DEL", key) == 1
    again = cws(late)
    again.subscribe(ch)
    assert again.next_frame() == event("price", ch, data)
    info = capi(late).sdk.channel_info(ch, ["cache"])
    assert info["cache"]["data"] == data and 0 < info["cache"]["ttl"] <= 1800, info
    # Many subscribers at once, all asking Redis before the first answer is kept: each gets it.
    crowd = [cws(late) for _ in range(20)]
    for client in crowd:
        client.subscribe_raw(burst)
    for client in crowd:
        client.wait_succeeded(burst)
        assert client.next_frame() == event("price", burst, data)
    p = cws(late)
    p.subscribe_presence(pres, uniq("late-user"))
    assert not p.pending, f"frames before subscription_succeeded: {frame_repr(p.pending)}"
    assert p.next_frame() == event("price", pres, data)
    miss = cws(late)
    miss.subscribe(empty)
    assert miss.next_frame() == {"event": "pusher:cache_miss", "channel": empty}
    c.expect_silence(0.3)
    p.expect_silence(0.3)


def test_a_node_behind_the_bus_stops_reading_it_loses_nothing_and_reads_again(deploy, cws, uniq):
    """Another node's publisher is paced by that node's loops, not by this one's. B, where every
    subscriber is, stops reading the bus while its loops are behind (Redis keeps the rest) instead of
    queuing without bound; every event still reaches every subscriber, and B reads the bus again."""
    from conftest import BELFRY_BIN
    dep = deploy()
    [A] = dep.start("A")
    # A small queue, so that the bursts of a pipelined publisher stop B's reading again and again.
    [B] = dep.start("B", extra=["--redis-bus-queue", "4"])
    connections, messages = 500, 2000
    done = subprocess.run(
        [str(BELFRY_BIN), "bench", "--url", A.http_url, "--subscribe-url", B.http_url, "--app-id", CLFLOOD.id,
         "--key", CLFLOOD.key, "--secret", CLFLOOD.secret, "--connections", str(connections), "--messages", str(messages),
         "--publishers", "4", "--depth", "16", "--channel-prefix", uniq("flood"), "--time-limit", "80",
         "--json", "--quiet"], capture_output=True, text=True, timeout=120)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ready"] == connections and result["pub_ok"] == messages, done.stdout + done.stderr
    assert result["lost"] == 0, f"lost {result['lost']} of {result['expected']}: {done.stdout}"
    pauses = B.metric("belfry_cluster_bus_pauses_total")
    assert pauses is not None and pauses >= 1, f"B never stopped reading the bus ({pauses})"
    print(f"B stopped reading the bus {pauses:.0f} times")
    paused = [line for line in B.log_path.read_text(errors="replace").splitlines() if "cluster bus paused" in line]
    assert paused and "WARN" in paused[0], "B logged no warning when it stopped reading the bus"

    ch = uniq("after-flood")
    c = cws(B)
    c.subscribe(ch)
    capi(A).sdk.trigger(ch, "after", "x")
    assert c.wait_for("after") == event("after", ch, "x")


def test_a_node_whose_bus_subscription_redis_closes_says_so_and_comes_back(deploy, cws, uniq, wait_until):
    """Redis closes a subscriber that reads too slowly for too long (its pub/sub output buffer
    limit) while it still answers commands; `CLIENT KILL TYPE pubsub` does the same at once. The
    node logs a warning naming the likely cause, reconnects, and its subscribers receive what is
    published afterwards."""
    dep = deploy()
    A, B = dep.start("A", "B")
    assert redis_command(dep.redis.port, "CLIENT", "KILL", "TYPE", "pubsub") >= 2
    for node in (A, B):
        wait_until(lambda: "cluster bus link lost while Redis still answers" in node.log_path.read_text(errors="replace"),
                   message=f"{node.name}'s warning")

    ch = uniq("after-cutoff")
    c = cws(B)
    c.subscribe(ch)

    def delivered() -> bool:  # until B's bus is back: published again while it is not
        capi(A).sdk.trigger(ch, "back", "x")
        try:
            return c.wait_for("back", ch, timeout=0.5) == event("back", ch, "x")
        except AssertionError:
            return False
    wait_until(delivered, timeout=15, interval=0.1, message="an event from A on B after the cut-off")


# --------------------------------------------------------------------------------------
# 7: webhooks once per cluster
# --------------------------------------------------------------------------------------


def test_webhooks_are_sent_once_per_cluster(cluster, cws, uniq, hooks, wait_until):
    A, B, C = cluster
    pub, pres = uniq("hook-pub"), uniq("presence-hook")
    u1, u2 = uniq("hu1"), uniq("hu2")
    subs = []
    for node in cluster:
        s = cws(node, CLHOOK)
        s.subscribe(pub)
        subs.append(s)
    for node, uid in ((A, u1), (B, u1), (C, u2)):  # u1 on two nodes
        s = cws(node, CLHOOK)
        s.subscribe_presence(pres, uid)
        subs.append(s)

    joined = {("channel_occupied", pub, None), ("channel_occupied", pres, None),
              ("member_added", pres, u1), ("member_added", pres, u2)}
    wait_until(lambda: set(hook_counts(hooks, [pub, pres], "/shared")) >= joined, timeout=WEBHOOK_DEADLINE,
               interval=0.1, message="channel_occupied and member_added webhooks")
    for s in subs:
        s.close()
    left = {("channel_vacated", pub, None), ("channel_vacated", pres, None),
            ("member_removed", pres, u1), ("member_removed", pres, u2)}
    wait_until(lambda: set(hook_counts(hooks, [pub, pres], "/shared")) >= left, timeout=WEBHOOK_DEADLINE,
               interval=0.1, message="channel_vacated and member_removed webhooks")
    time.sleep(3.5)  # a second node deciding the same would send within the same 3 s hold
    counts = hook_counts(hooks, [pub, pres], "/shared")
    assert_pusher_format(hooks, CLHOOK.name, CLHOOK.id)  # signed with the app's secret by whichever node sent it
    assert counts == Counter({k: 1 for k in joined | left}), \
        f"each webhook exactly once per cluster, got:\n{json.dumps(hook_events(hooks, [pub, pres], '/shared'), indent=1)}"


# --------------------------------------------------------------------------------------
# 11: maxConnections cluster-wide
# --------------------------------------------------------------------------------------


def test_max_connections_counts_the_whole_cluster(cluster, cws, wait_until):
    A, B, C = cluster
    opened = []
    for node in (A, A, B):
        outcome, c = connect_outcome(cws, node, CLMAX)
        assert outcome == "accepted", f"connection {len(opened) + 1} of 3 on {node.name} refused: " \
                                      f"{frame_repr(c.pending)}"
        opened.append(c)

    admitted_over = Counter()

    def refused_on(node: ClusterNode) -> WsClient | None:
        outcome, c = connect_outcome(cws, node, CLMAX)
        if outcome == "accepted":  # counts of the other nodes not seen yet: close, try again
            admitted_over[node.name] += 1
            c.close()
            return None
        return c

    # Counts are refreshed every second: the 4th is refused within a few.
    c4 = wait_until(lambda: refused_on(C), timeout=8, interval=0.2, message="a 4th connection refused on C")
    refused_4004(c4)
    refused_4004(wait_until(lambda: refused_on(A), timeout=8, interval=0.2, message="a 4th refused on A"))
    for c in opened:
        c.ping_pong()

    # One closes on A: a slot opens for C, then the cluster is full again.
    opened[0].close()

    def accepted_on(node: ClusterNode) -> WsClient | None:
        outcome, c = connect_outcome(cws, node, CLMAX)
        return c if outcome == "accepted" else None

    on_c = wait_until(lambda: accepted_on(C), timeout=8, interval=0.2, message="a free slot on C")
    on_c.ping_pong()
    refused_4004(wait_until(lambda: refused_on(B), timeout=8, interval=0.2, message="a 4th refused on B"))
    for c in opened[1:]:
        c.ping_pong()
    print(f"connections admitted past the limit before the counts caught up: {dict(admitted_over)}")


# --------------------------------------------------------------------------------------
# 10: prefixes separate deployments on one Redis
# --------------------------------------------------------------------------------------


def test_prefixes_separate_deployments_on_one_redis(cluster, deploy, cws, uniq, expect_silence):
    A = cluster[0]
    shared_redis = cluster[0].redis
    [blue] = deploy(prefix="blue", redis=shared_redis).start("blue")
    [green] = deploy(prefix="green", redis=shared_redis, via_env=True).start("green")  # the variables work too
    ch, pres = uniq("cl-prefix"), uniq("presence-prefix")
    sb, sg = cws(blue), cws(green)
    sb.subscribe(ch)
    sg.subscribe(ch)
    capi(blue).sdk.trigger(ch, "color", "blue")
    assert sb.wait_for("color", ch) == event("color", ch, "blue")
    capi(green).sdk.trigger(ch, "color", "green")
    assert sg.wait_for("color", ch) == event("color", ch, "green")
    expect_silence(1.5, sb, sg)  # same app id and channel, other prefix: nothing crosses

    ub, ug = uniq("blue-user"), uniq("green-user")
    pb, pg = cws(blue), cws(green)
    assert presence_data(pb.subscribe_presence(pres, ub), pres)["ids"] == [ub]
    assert presence_data(pg.subscribe_presence(pres, ug), pres)["ids"] == [ug]
    expect_silence(1.0, pb, pg)
    assert user_ids(blue, pres) == [ub] and user_ids(green, pres) == [ug]
    assert capi(blue).sdk.channel_info(ch, ["subscription_count"]) == {"occupied": True, "subscription_count": 1}

    for node in (blue, green):
        assert node.node_ids() == {node.node_id}, f"{node.name} lists {node.cluster_check().get('nodes')}"
    assert A.listed_ids() == {n.node_id for n in cluster}, "the default deployment sees only A, B and C"

    # What each deployment keeps in Redis is named with its prefix.
    stray = [k for k in shared_redis.keys() + shared_redis.pubsub_channels()
             if not re.match(r"^\{?(belfry|blue|green)\b", k)]
    assert not stray, f"Redis keys / channels outside every prefix: {stray}"
    assert any(re.match(r"^\{?blue\b", k) for k in shared_redis.keys() + shared_redis.pubsub_channels())
    for node in (blue, green):
        assert node.metric("belfry_cluster_nodes") == 1, f"{node.name}: belfry_cluster_nodes"


def test_nodes_join_over_tls_with_a_private_ca(deploy, cws, uniq, expect_silence):
    """rediss:// with --redis-ca-file (and its variable): the nodes form a cluster over TLS. A node
    without the CA stays out (its link down, naming the refused certificate) and serves alone."""
    dep = deploy(tls=True)
    [A] = dep.start("A")
    [B] = deploy(redis=dep.redis, via_env=True).start("B")
    wait_nodes_ready([A, B], expect_peers=[A, B])
    ch = uniq("cl-tls")
    a, b = cws(A), cws(B)
    a.subscribe(ch)
    b.subscribe(ch)
    capi(A).sdk.trigger(ch, "news", {"over": "tls"})
    for s in (a, b):
        assert s.wait_for("news", ch) == event("news", ch, json.dumps({"over": "tls"}))
    expect_silence(1.0, a, b)

    # The same URL without the CA: the node's certificate check fails and it serves alone.
    [node] = deploy(redis=dep.redis, trust_ca=False).launch("outsider")
    wait_until(lambda: "CERTIFICATE_VERIFY_FAILED" in node.log_tail(), timeout=20, interval=0.2,
               message="the node without the CA to log the refused certificate")
    wait_until(lambda: requests.get(f"{node.http_url}/readyz", timeout=2).status_code == 200, timeout=20,
               interval=0.2, message="the node without the CA to serve alone")
    assert node.cluster_check().get("link") != "connected", node.cluster_check()
    assert A.node_ids() == {A.node_id, B.node_id}

    # A CA file for a plain URL, or one without a certificate, is refused at start, naming the flag.
    from conftest import BELFRY_BIN
    ca = str(dep.redis.ca_file)
    for url, ca_file, message in ((f"redis://127.0.0.1:{dep.redis.port}", ca, "is for a rediss://"),
                                  (dep.redis.url, str(dep.redis.root / "server.key"), "--redis-ca-file: ")):
        done = subprocess.run([str(BELFRY_BIN), "serve", "--source", str(dep.config_dir), "--redis-url", url,
                               "--redis-ca-file", ca_file, "--data-dir", str(dep.root / "refused")],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode != 0 and message in done.stderr, (done.returncode, done.stderr)


# --------------------------------------------------------------------------------------
# 8: a node killed with SIGKILL
# --------------------------------------------------------------------------------------


def test_killed_node_is_cleaned_up_by_the_others(deploy, cws, uniq, hooks, wait_until, expect_silence):
    dep = deploy(hook_path="/kill")
    A, B, C = dep.start("A", "B", "C")
    pres, only = uniq("presence-kill"), uniq("private-only-c")
    u1, u2, u3 = uniq("k1"), uniq("k2"), uniq("k3")
    a = cws(A, CLHOOK)
    a.subscribe_presence(pres, u1, {"n": 1})
    b = cws(B, CLHOOK)
    b.subscribe_presence(pres, u2, {"n": 2})
    assert_member_added(a.wait_for("pusher_internal:member_added", pres), pres, u2, {"n": 2})
    c = cws(C, CLHOOK)
    assert sorted(presence_data(c.subscribe_presence(pres, u3, {"n": 3}), pres)["ids"]) == sorted([u1, u2, u3])
    for x in (a, b):
        assert_member_added(x.wait_for("pusher_internal:member_added", pres), pres, u3, {"n": 3})
    cws(C, CLHOOK).subscribe_private(only)
    for node in (A, B):
        assert capi(node, CLHOOK).sdk.channel_info(only) == {"occupied": True}, node.name
    # The webhooks of the joins are out before the kill (so that only the removals are in question).
    wait_until(lambda: {("channel_occupied", only, None), ("member_added", pres, u3)}
               <= set(hook_counts(hooks, [pres, only], "/kill")), timeout=WEBHOOK_DEADLINE, interval=0.1,
               message="channel_occupied and member_added webhooks before the kill")

    C.kill()  # SIGKILL: no goodbye
    killed_at = time.monotonic()
    for x in (a, b):
        left = NODE_DEATH_DEADLINE - (time.monotonic() - killed_at)
        assert_member_removed(x.wait_for("pusher_internal:member_removed", pres, timeout=max(left, 0.1)), pres, u3)
    print(f"member_removed on A and B {time.monotonic() - killed_at:.1f} s after kill -9")
    wanted = {("member_removed", pres, u3), ("channel_vacated", only, None)}
    wait_until(lambda: wanted <= set(hook_counts(hooks, [pres, only], "/kill")),
               timeout=max(WEBHOOK_DEADLINE - (time.monotonic() - killed_at), 0.1), interval=0.1,
               message="member_removed and channel_vacated webhooks for the killed node's state")
    print(f"webhooks {time.monotonic() - killed_at:.1f} s after kill -9")
    for node in (A, B):
        wait_until(lambda: C.node_id not in node.listed_ids(),
                   timeout=max(NODE_DEATH_DEADLINE - (time.monotonic() - killed_at), 0.1), interval=0.2,
                   message=f"{node.name} to drop C from its /readyz nodes")
        assert node.node_ids() == {A.node_id, B.node_id}

    expect_silence(3.5, a, b)  # one member_removed each; and A and B do not leave with C
    counts = hook_counts(hooks, [pres, only], "/kill")
    assert counts[("member_removed", pres, u3)] == 1 and counts[("channel_vacated", only, None)] == 1, counts
    assert counts[("channel_vacated", pres, None)] == 0, f"{pres} still has members on A and B: {counts}"
    assert counts[("member_removed", pres, u1)] == 0 and counts[("member_removed", pres, u2)] == 0, counts
    for node in (A, B):
        assert user_ids(node, pres, CLHOOK) == sorted([u1, u2]), node.name
        assert capi(node, CLHOOK).sdk.channel_info(only) == {"occupied": False}, node.name
        assert node.metric("belfry_cluster_nodes") == 2, f"{node.name}: belfry_cluster_nodes after C's death"


# --------------------------------------------------------------------------------------
# 9: redis-server killed and restarted on the same port
# --------------------------------------------------------------------------------------


def test_nodes_survive_a_redis_restart(deploy, cws, uniq, hooks, wait_until, expect_silence):
    dep = deploy(hook_path="/redis")
    A, B = dep.start("A", "B")
    redis = dep.redis
    ch, pres = uniq("cl-redis"), uniq("presence-redis")
    ua, ub, uc = uniq("ra"), uniq("rb"), uniq("rc")
    a, b = cws(A), cws(B)
    a.subscribe(ch)
    b.subscribe(ch)
    pa, pb = cws(A, CLHOOK), cws(B, CLHOOK)  # the app with webhooks
    views = {"pa": PresenceView(pa, pres, pa.subscribe_presence(pres, ua))}
    views["pb"] = PresenceView(pb, pres, pb.subscribe_presence(pres, ub))
    views["pa"].apply(pa.wait_for("pusher_internal:member_added", pres))
    joined = Counter({("channel_occupied", pres, None): 1, ("member_added", pres, ua): 1,
                      ("member_added", pres, ub): 1})
    wait_until(lambda: hook_counts(hooks, [pres], "/redis") == joined, timeout=WEBHOOK_DEADLINE, interval=0.1,
               message="the presence channel's webhooks before the Redis restart")
    capi(A).sdk.trigger(ch, "before", "0")
    for x in (a, b):
        assert x.wait_for("before", ch) == event("before", ch, "0")

    redis.kill()
    for node in (A, B):
        def degraded(node: ClusterNode = node) -> bool:
            code, body = node.readyz()
            check = body.get("checks", {}).get("cluster", {})
            return code == 200 and str(check.get("status", "")).startswith("degraded") and check.get("link") == "down"
        wait_until(degraded, timeout=10, interval=0.2,
                   message=f"{node.name}: /readyz 200 with cluster degraded and link down")
    link_up_during_outage = {node.name: node.metric("belfry_cluster_link_up") for node in (A, B)}
    # The node still serves its own clients meanwhile.
    r = capi(A).trigger({"name": "local", "channel": ch, "data": "1"})
    assert r.status_code == 200, f"publish while Redis is down: {r.status_code} {r.text}"
    assert a.wait_for("local", ch) == event("local", ch, "1")
    # A user joins B during the outage (answered with what B knows).
    pc = cws(B, CLHOOK)
    views["pc"] = PresenceView(pc, pres, pc.subscribe_presence(pres, uc))

    redis.start()  # the same port, empty (no persistence)
    restarted_at = time.monotonic()
    probes = 0
    while True:
        probes += 1
        capi(A).sdk.trigger(ch, "probe", str(probes))
        try:
            b.wait_for("probe", ch, timeout=0.5, where=lambda f: f["data"] == str(probes))
            break
        except AssertionError:
            if time.monotonic() - restarted_at > REDIS_RECOVERY_DEADLINE:
                raise AssertionError(f"no publish from A reached B within {REDIS_RECOVERY_DEADLINE}s of the "
                                     f"Redis restart ({probes} tries)\n" + "\n".join(
                                         n.status_summary() for n in (A, B))) from None
    print(f"cross-node delivery back {time.monotonic() - restarted_at:.1f} s after the Redis restart "
          f"(probe {probes})")
    capi(A).sdk.trigger(ch, "after", "2")
    for x in (a, b):
        assert x.wait_for("after", ch) == event("after", ch, "2")
    late = lambda f: f.get("event") in ("probe", "local")  # noqa: E731 - earlier publishes may trail in
    expect_silence(1.0, a, b, ignore=late)  # `after` once each

    # The state of each node is written again: rosters, counts, membership.
    everyone = sorted([ua, ub, uc])
    for node in (A, B):
        wait_until(lambda: user_ids(node, pres, CLHOOK) == everyone,
                   timeout=max(REDIS_RECOVERY_DEADLINE - (time.monotonic() - restarted_at), 1), interval=0.2,
                   message=f"GET users on {node.name} to list the users of both nodes again")
        wait_until(lambda: capi(node).sdk.channel_info(ch, ["subscription_count"])
                   == {"occupied": True, "subscription_count": 2}, timeout=5, interval=0.2,
                   message=f"subscription_count on {node.name} after the restart")
    wait_nodes_ready([A, B], timeout=10)
    for node in (A, B):
        assert node.cluster_check()["status"] == "ok", node.status_summary()
    # Every presence client converges on the three users (uc's join reaches A's client).
    try:
        wait_until(lambda: all([v.poll() == set(everyone) for v in views.values()]), timeout=10, interval=0.1,
                   message=f"every presence client to see {everyone}")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n" + "\n".join(
            f"{k} sees {sorted(v.members)}; problems: {v.problems}" for k, v in views.items())) from None

    # The rest is checked together so that one report names every problem.
    time.sleep(1.0)  # duplicates (client frames, webhooks) would be on their way by now
    for v in views.values():
        v.poll()
    problems = [f"{k}: {p}" for k, v in views.items() for p in v.problems]
    want_hooks = joined + Counter({("member_added", pres, uc): 1})
    if hook_counts(hooks, [pres], "/redis") != want_hooks:
        problems.append(f"webhooks of {pres} across the Redis restart (only {uc} joined): "
                        f"{json.dumps(hook_events(hooks, [pres], '/redis'))}")
    if link_up_during_outage != {"A": 0, "B": 0}:
        problems.append(f"belfry_cluster_link_up while Redis was down: {link_up_during_outage}")
    after = {n.name: (n.metric("belfry_cluster_link_up"), n.metric("belfry_cluster_nodes")) for n in (A, B)}
    if after != {"A": (1, 2), "B": (1, 2)}:
        problems.append(f"(belfry_cluster_link_up, belfry_cluster_nodes) after the restart: {after}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------
# 12: generated and retiring secrets are the same on every node
# --------------------------------------------------------------------------------------


def admin_call(node: ClusterNode, method: str, path: str, **kw: Any) -> requests.Response:
    """A request to a node's admin port with its own admin token."""
    token = (node.data_dir / "admin-token").read_text().strip()
    return requests.request(method, f"{node.admin_url}{path}", headers={"Authorization": f"Bearer {token}"},
                            timeout=40, **kw)


def publishes(node: ClusterNode, app: App, secret: str, channel: str) -> bool:
    """Whether the node's HTTP API accepts a publish signed with ``secret`` (401: False)."""
    r = Api(node, app).trigger({"name": "signed", "channel": channel, "data": "{}"}, secret=secret)
    assert r.status_code in (200, 401), f"{node.name}: publish answered {r.status_code} {r.text}"
    return r.status_code == 200


def without_secret(dep: Deployment, name: str, app_id: str) -> App:
    """An App whose manifest gives no secret, written to the deployment's manifests."""
    app = App(name, app_id, f"{name}-key", "unused")
    manifest = "\n".join(line for line in app.manifest().splitlines()
                         if not line.strip().startswith(("secret:", "value:")))
    (dep.config_dir / f"{name}.yaml").write_text(manifest + "\n")
    return app


def generated(node: ClusterNode, name: str = "clgen") -> str | None:
    """The node's generated secret of an app (GET /internal/v1/apps/{name}/secret), None on 404."""
    r = admin_call(node, "GET", f"/internal/v1/apps/{name}/secret")
    return r.json()["secret"] if r.status_code == 200 else None


def test_generated_and_retiring_secrets_are_shared_by_the_nodes(deploy, uniq, wait_until):
    dep = deploy()
    gen = without_secret(dep, "clgen", "5009")
    A, B = dep.start("A", "B")
    ch = uniq("cl-secret")
    secret = generated

    # Each node generated a secret of its own at start; their first passes agree on one.
    first = wait_until(lambda: secret(A) if secret(A) is not None and secret(A) == secret(B) else None,
                       timeout=20, interval=0.2, message="A and B to keep the same generated secret")
    assert redis_command(dep.redis.port, "HGET", "belfry:secrets", "clgen") == first
    for node in (A, B):
        wait_until(lambda node=node: publishes(node, gen, first, ch), timeout=10, interval=0.2,
                   message=f"{node.name} to accept a publish signed with the agreed secret")

    # A rotation with a grace period on A: A tells the other nodes over the bus, so B reconciles at
    # once (its interval is 60 s) and accepts the old and the new secret.
    rotated = admin_call(A, "POST", "/api/v1/apps/clgen/rotate-secret", json={"gracePeriodSeconds": 300})
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["secret"]
    assert second != first and rotated.json()["previousSecretValidUntil"]

    def both_sign_on_b() -> bool:
        return publishes(B, gen, second, ch) and publishes(B, gen, first, ch)

    wait_until(both_sign_on_b, timeout=15, interval=0.3, message="B to accept the new and the old secret")
    assert '"cluster"' in admin_call(B, "GET", "/api/v1/reconcile").text, "B's pass was asked for by A"
    assert secret(B) == second
    for node in (A, B):
        assert publishes(node, gen, second, ch) and publishes(node, gen, first, ch), node.name
        assert not publishes(node, gen, "not-" + second, ch), node.name

    # The App is deleted in the source (not through the API): the nodes that apply it forget its
    # secrets, in their databases and in Redis, so the App created again gets a new secret.
    (dep.config_dir / "clgen.yaml").unlink()

    def forgotten() -> bool:
        for node in (A, B):
            admin_call(node, "POST", "/api/v1/reconcile")
        return secret(A) is None and secret(B) is None and \
            redis_command(dep.redis.port, "HGET", "belfry:secrets", "clgen") is None

    wait_until(forgotten, timeout=20, interval=0.3, message="the deleted App's secret to be forgotten everywhere")
    without_secret(dep, "clgen", "5009")

    def agreed_again() -> str | None:
        for node in (A, B):
            admin_call(node, "POST", "/api/v1/reconcile")
        a, b = secret(A), secret(B)
        return a if a is not None and a == b else None

    third = wait_until(agreed_again, timeout=20, interval=0.3, message="A and B to agree on the new App's secret")
    assert third not in (first, second)
    assert redis_command(dep.redis.port, "HGET", "belfry:secrets", "clgen") == third
    for node in (A, B):
        wait_until(lambda node=node: publishes(node, gen, third, ch), timeout=10, interval=0.2,
                   message=f"{node.name} to accept the new secret")
        assert not publishes(node, gen, second, ch) and not publishes(node, gen, first, ch), node.name


def test_without_redis_nodes_keep_their_secrets_and_invent_none(deploy, uniq, wait_until):
    dep = deploy()
    gen = without_secret(dep, "clgen", "5009")
    [A] = dep.start("A")
    ch = uniq("cl-nosecret")
    first = wait_until(lambda: generated(A) if generated(A) == redis_command(dep.redis.port, "HGET", "belfry:secrets",
                                                                             "clgen") else None,
                       timeout=20, interval=0.2, message="A's generated secret to be the cluster's")
    dep.redis.kill()

    # A rotation that cannot reach the other nodes changes nothing.
    refused = admin_call(A, "POST", "/api/v1/apps/clgen/rotate-secret", json={"gracePeriodSeconds": 60})
    assert refused.status_code == 503, refused.text
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert "Redis" in refused.json()["detail"] and "nothing was changed" in refused.json()["detail"]
    assert generated(A) == first

    # A new App without a secret is not applied while Redis is away (no secret of this node's own);
    # the App that has one keeps it.
    new = without_secret(dep, "clnew", "5010")

    def failed_naming_redis() -> bool:
        admin_call(A, "POST", "/api/v1/reconcile")
        status = admin_call(A, "GET", "/api/v1/reconcile").json()
        last = (status.get("history") or [{}])[0]
        return status["lastResult"] == "failed" and "clnew" in last.get("error", "") and "Redis" in last["error"]

    wait_until(failed_naming_redis, timeout=20, interval=0.3, message="a failed pass naming clnew and Redis")
    assert generated(A, "clnew") is None
    assert publishes(A, gen, first, ch)

    # Redis back (empty): the node's secret is offered again and kept; the new App gets one.
    dep.redis.start()

    def applied_new() -> bool:
        admin_call(A, "POST", "/api/v1/reconcile")
        secret = generated(A, "clnew")
        return secret is not None and publishes(A, new, secret, ch)

    wait_until(applied_new, timeout=30, interval=0.3, message="clnew applied once Redis is back")

    # The pass that applied clnew may have asked about clgen while Redis was still coming back
    # (it then serves its own copy and writes nothing): a later pass offers it.
    def clgen_offered() -> bool:
        admin_call(A, "POST", "/api/v1/reconcile")
        return redis_command(dep.redis.port, "HGET", "belfry:secrets", "clgen") == first

    wait_until(clgen_offered, timeout=30, interval=0.3, message="A's clgen secret offered to the new Redis")
    assert generated(A) == first
