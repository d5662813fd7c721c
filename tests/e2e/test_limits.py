"""Per-app limits (`spec.limits`), each hit by a real client: the WebSocket handshake refused with
HTTP 429 before the upgrade (per address), subscriptions refused per channel (the connection stays
open), client events refused or the connection closed with 4301, HTTP API calls answered 429 with
Retry-After and X-RateLimit-* headers, sizes refused with 413 / 4301 / subscription errors. Every
refusal shows in `/metrics` as belfry_rejections_total{app, reason="limit <field>"}, and a limit
changed in the manifest directory applies to live connections after the next reconcile pass.

Nothing sleeps to wait: state is polled with deadlines; a sleep only paces a rate.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect

from conftest import _ALL_SERVERS, Api, App, BelfryServer, WsClient, wait_until

LIMIT_APPS = {
    a.name: a
    for a in [
        # Only the limit under test is tight; the per-address ones are lifted where a test opens
        # many connections from 127.0.0.1.
        App("peraddr", "2001", "peraddr-key", "peraddr-secret",
            limits={"maxConnectionsPerAddress": 3, "connectionsPerSecondPerAddress": "null"}),
        App("connrate", "2002", "connrate-key", "connrate-secret",
            limits={"connectionsPerSecondPerAddress": 3, "maxConnectionsPerAddress": "null"}),
        App("chanlimit", "2003", "chanlimit-key", "chanlimit-secret",
            limits={"maxChannelsPerConnection": 3, "subscriptionsPerSecond": "null"}),
        App("subrate", "2004", "subrate-key", "subrate-secret",
            limits={"subscriptionsPerSecond": 2, "maxChannelsPerConnection": "null"}),
        App("abuse", "2005", "abuse-key", "abuse-secret", client_events=True,
            limits={"clientEventsPerSecond": 2, "disconnectOnAbuse": "true"}),
        App("apirate", "2006", "apirate-key", "apirate-secret",
            limits={"apiRequestsPerSecond": 2, "backendEventsPerSecond": 3}),
        App("sizes", "2007", "sizes-key", "sizes-secret", client_events=True,
            limits={"maxMessageBytes": 100, "maxPresenceMembers": 2, "maxPresenceInfoBytes": 50}),
        App("live", "2008", "live-key", "live-secret", limits={"maxChannelsPerConnection": 1}),
    ]
}


class LimitsServer(BelfryServer):
    """The conftest server plus the apps above, reconciling its directory every second."""

    def __init__(self, name: str, root: Path) -> None:
        super().__init__(name, root, session=False)
        (self.config_dir / "limits.yaml").write_text("---\n".join(a.manifest() for a in LIMIT_APPS.values()))

    def command(self) -> list[str]:
        return super().command() + ["--interval", "1"]

    def admin(self, method: str, path: str) -> requests.Response:
        token = (self.data_dir / "admin-token").read_text().strip()
        return requests.request(method, f"http://127.0.0.1:{self.admin_port}{path}",
                                headers={"Authorization": f"Bearer {token}"}, timeout=5)

    def rejections(self, app: str, limit: str) -> int:
        """belfry_rejections_total of the app for `limit <field>` (0 when absent)."""
        text = requests.get(f"http://127.0.0.1:{self.admin_port}/metrics", timeout=5).text
        total = 0
        for line in text.splitlines():
            if line.startswith("belfry_rejections_total{") and f'app="{app}"' in line \
                    and f'reason="limit {limit}"' in line:
                total += int(float(line.rsplit(" ", 1)[1]))
        return total

    def wait_rejected(self, app: str, limit: str, at_least: int = 1) -> int:
        return wait_until(lambda: (n := self.rejections(app, limit)) >= at_least and n, timeout=10,
                          message=f"belfry_rejections_total{{app={app}, reason=limit {limit}}} >= {at_least}")


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterable[LimitsServer]:
    root = tmp_path_factory.mktemp(f"limits-{uuid.uuid4().hex[:6]}")
    server = LimitsServer(f"limits-{root.name}", root).start()
    yield server
    assert server.stop() == 0, server.log_tail()
    _ALL_SERVERS.remove(server)


@pytest.fixture
def client(srv: LimitsServer) -> Iterable[Callable[..., WsClient]]:
    opened: list[WsClient] = []

    def open_client(app: str) -> WsClient:
        c = WsClient(srv.ws_url(LIMIT_APPS[app].key), LIMIT_APPS[app])
        opened.append(c)
        c.handshake()
        return c

    yield open_client
    for c in opened:
        c.close()


def handshake_refusal(srv: LimitsServer, app: str) -> Any:
    """The HTTP response of a handshake that must be refused before the upgrade."""
    with pytest.raises(InvalidStatus) as refused:
        ws_connect(srv.ws_url(LIMIT_APPS[app].key), proxy=None, open_timeout=5).close()
    return refused.value.response


def assert_429(headers: Any, limit: int) -> None:
    assert int(headers["Retry-After"]) >= 1, dict(headers)
    assert headers["X-RateLimit-Limit"] == str(limit), dict(headers)
    assert headers["X-RateLimit-Remaining"] == "0", dict(headers)


def rate_error(frame: dict[str, Any]) -> bool:
    return frame.get("event") == "pusher:error" and frame["data"].get("code") == 4301


# -- connections ------------------------------------------------------------------------


def test_connections_per_address_are_refused_with_429_before_the_upgrade(srv, client):
    held = [client("peraddr") for _ in range(3)]
    response = handshake_refusal(srv, "peraddr")
    assert response.status_code == 429
    assert_429(response.headers, 3)
    assert "3 connections from one address" in response.body.decode()
    srv.wait_rejected("peraddr", "maxConnectionsPerAddress")
    # Closing one frees its slot (released when the socket closes).
    held.pop().close()

    def one_more() -> bool:
        try:
            client("peraddr")
            return True
        except InvalidStatus:
            return False

    wait_until(one_more, message="a fourth connection once one closed")


def test_connections_per_second_per_address_are_refused_with_429_and_retry_after(srv, client):
    opened, response = 0, None
    for _ in range(20):
        try:
            client("connrate")
            opened += 1
        except InvalidStatus as refused:
            response = refused.response
            break
    assert response is not None, "20 handshakes in a row were all accepted at 3 per second"
    assert opened >= 3, opened
    assert response.status_code == 429
    assert_429(response.headers, 3)
    srv.wait_rejected("connrate", "connectionsPerSecondPerAddress")

    def accepted_again() -> bool:
        try:
            client("connrate")
            return True
        except InvalidStatus:
            return False

    wait_until(accepted_again, timeout=5, interval=0.2, message="a handshake after the bucket refilled")


# -- subscriptions ----------------------------------------------------------------------


def test_channels_per_connection_refuse_the_next_subscribe_and_keep_the_connection(srv, client):
    c = client("chanlimit")
    for i in range(3):
        c.subscribe(f"room-{i}")
    c.subscribe_error("room-3", sub_type="LimitReached", status=429)
    srv.wait_rejected("chanlimit", "maxChannelsPerConnection")
    c.send({"event": "pusher:unsubscribe", "data": {"channel": "room-0"}})
    c.subscribe("room-3")


def test_subscriptions_per_second_refuse_with_4301_and_keep_the_connection(srv, client):
    c = client("subrate")
    for i in range(4):
        c.subscribe_raw(f"fast-{i}")
    succeeded = [c.wait_succeeded(f"fast-{i}")["channel"] for i in range(2)]
    assert succeeded == ["fast-0", "fast-1"]
    for i in (2, 3):
        sub_err = c.wait_for("pusher:subscription_error", f"fast-{i}")
        assert sub_err["data"]["type"] == "LimitReached" and sub_err["data"]["status"] == 429, sub_err
        assert rate_error(c.wait_for("pusher:error")), c.pending
    c.ping_pong()  # still open
    assert not c.closed
    srv.wait_rejected("subrate", "subscriptionsPerSecond", at_least=2)
    time.sleep(0.6)  # pacing the rate: at two per second a token is back after half a second
    c.subscribe("fast-2")


# -- client events ----------------------------------------------------------------------


def test_client_events_past_the_rate_close_with_4301_when_disconnect_on_abuse(srv, client):
    a = client("abuse")
    channel = "private-abuse"
    a.subscribe_private(channel)
    for i in range(6):
        try:
            a.send({"event": "client-spam", "channel": channel, "data": {"i": i}})
        except Exception:
            break  # the server closed while we were still sending
    code = a.wait_closed(timeout=5)
    assert code == 4301, (code, list(a.pending))
    errors = [f for f in a.pending if f.get("event") == "pusher:error"]
    assert errors and errors[-1]["data"]["code"] == 4301, list(a.pending)
    srv.wait_rejected("abuse", "clientEventsPerSecond")


# -- HTTP API ---------------------------------------------------------------------------


def test_api_requests_per_second_answer_429_with_rate_limit_headers(srv):
    api = Api(srv, LIMIT_APPS["apirate"])
    statuses = [api.request("GET", api.path("channels")) for _ in range(6)]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited and all(r.status_code in (200, 429) for r in statuses), [r.status_code for r in statuses]
    assert_429(limited[0].headers, 2)
    assert "2 API requests per second" in limited[0].json()["error"]
    # The official SDK sees the same refusal.
    with pytest.raises(Exception) as sdk_error:
        for _ in range(6):
            api.sdk.channels_info()
    assert "429" in str(sdk_error.value) or "Rate limit" in str(sdk_error.value), sdk_error.value
    srv.wait_rejected("apirate", "apiRequestsPerSecond")
    # Publishing has its own budget (backendEventsPerSecond: 3): an event to 2 channels costs 2.
    assert api.trigger({"name": "e", "channels": ["a", "b"], "data": "{}"}).status_code == 200
    refused = api.trigger({"name": "e", "channels": ["a", "b"], "data": "{}"})
    assert refused.status_code == 429, refused.text
    assert refused.headers["X-RateLimit-Limit"] == "3" and int(refused.headers["Retry-After"]) >= 1
    assert int(refused.headers["X-RateLimit-Remaining"]) <= 1
    srv.wait_rejected("apirate", "backendEventsPerSecond")


# -- sizes ------------------------------------------------------------------------------


def test_message_size_is_413_on_the_api_and_4301_from_a_client(srv, client):
    api = Api(srv, LIMIT_APPS["sizes"])
    assert api.trigger({"name": "e", "channel": "news", "data": "x" * 100}).status_code == 200
    too_big = api.trigger({"name": "e", "channel": "news", "data": "x" * 101})
    assert too_big.status_code == 413, too_big.text
    c = client("sizes")
    c.subscribe_private("private-sizes")
    c.send({"event": "client-big", "channel": "private-sizes", "data": "y" * 120})
    err = c.wait_for("pusher:error")
    assert err["data"]["code"] == 4301 and "limit is 100" in err["data"]["message"], err
    c.ping_pong()
    srv.wait_rejected("sizes", "maxMessageBytes", at_least=2)


def test_presence_members_and_info_size_refuse_the_subscribe(srv, client):
    channel = "presence-small"
    for user in ("u1", "u2"):
        client("sizes").subscribe_presence(channel, user)
    third = client("sizes")
    cd = json.dumps({"user_id": "u3"})
    third.subscribe_error(channel, third.app.presence_auth(third.socket_id, channel, cd), cd,
                          sub_type="LimitReached", status=403)
    srv.wait_rejected("sizes", "maxPresenceMembers")
    big = client("sizes")
    cd = json.dumps({"user_id": "u4", "user_info": {"name": "z" * 60}})
    big.subscribe_error("presence-other", big.app.presence_auth(big.socket_id, "presence-other", cd), cd,
                        sub_type="InvalidChannelData", status=400)
    srv.wait_rejected("sizes", "maxPresenceInfoBytes")


# -- live change ------------------------------------------------------------------------


def test_a_limit_changed_in_the_manifest_applies_to_a_live_connection(srv, client):
    c = client("live")
    c.subscribe("first")
    c.subscribe_error("second", sub_type="LimitReached", status=429)
    manifest = srv.config_dir / "limits.yaml"
    manifest.write_text(manifest.read_text().replace("maxChannelsPerConnection: 1", "maxChannelsPerConnection: 2"))

    def applied() -> bool:
        state = srv.admin("GET", "/internal/v1/state").json()
        live = next(a for a in state["apps"] if a["name"] == "live")
        return live["limits"]["maxChannelsPerConnection"] == 2

    wait_until(applied, timeout=15, interval=0.2, message="the reconcile pass applying maxChannelsPerConnection: 2")
    c.subscribe("second")  # the same connection, under the new limit
    c.subscribe_error("third", sub_type="LimitReached", status=429)
