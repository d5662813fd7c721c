"""The reference pages against the product: the HTTP API examples run and answer the documented
shapes, the protocol walkthrough runs, every close code and metric in the sources is documented
(and nothing documented is invented), and the admin port answers as admin.md says."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import urllib.parse
from pathlib import Path

import pytest
import requests
from websockets.sync.client import connect

from docs_support import APP_KEY, APP_SECRET, DOCS, REPO_ROOT, run, snippet, wait_until

SOURCES = REPO_ROOT / "Sources"
REFERENCE = DOCS / "reference"


def page(name: str) -> str:
    return (REFERENCE / name).read_text()


# --- helpers: a raw WebSocket client and a signed HTTP API call ---------------------------------

def sign(message: str, secret: str = APP_SECRET, key: str = APP_KEY) -> str:
    return key + ":" + hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def ws_url(server, key: str = APP_KEY, query: str = "protocol=7&client=docs-test&version=1") -> str:
    return f"ws://127.0.0.1:{server.port}/app/{key}?{query}"


def frames(ws, count: int = 1) -> list[dict]:
    return [json.loads(ws.recv(timeout=5)) for _ in range(count)]


def socket_id(ws) -> str:
    [established] = frames(ws)
    assert established["event"] == "pusher:connection_established", established
    return json.loads(established["data"])["socket_id"]


def subscribe(ws, channel: str, sid: str, channel_data: str | None = None) -> dict:
    data: dict = {"channel": channel}
    if channel.startswith(("private-", "presence-")):
        data["auth"] = sign(f"{sid}:{channel}" + (f":{channel_data}" if channel_data else ""))
    if channel_data:
        data["channel_data"] = channel_data
    ws.send(json.dumps({"event": "pusher:subscribe", "data": data}))
    [answer] = frames(ws)
    assert answer["event"] == "pusher_internal:subscription_succeeded", answer
    return answer


def api(server, method: str, path: str, params: dict | None = None, body: bytes = b"",
        key: str = APP_KEY, secret: str = APP_SECRET, timestamp: int | None = None) -> requests.Response:
    query = {"auth_key": key, "auth_timestamp": str(timestamp or int(time.time())), "auth_version": "1.0",
             **(params or {})}
    if body:
        query["body_md5"] = hashlib.md5(body).hexdigest()
    canonical = "&".join(f"{k}={query[k]}" for k in sorted(query))
    query["auth_signature"] = hmac.new(secret.encode(), f"{method}\n{path}\n{canonical}".encode(),
                                       hashlib.sha256).hexdigest()
    url = f"http://127.0.0.1:{server.port}{path}?{urllib.parse.urlencode(query)}"
    return requests.request(method, url, data=body or None, headers={"Content-Type": "application/json"}, timeout=5)


def channel_count(server, channel: str) -> int:
    answer = api(server, "GET", f"/apps/1001/channels/{channel}", {"info": "subscription_count"})
    return answer.json().get("subscription_count", 0)


# --- http-api.md ----------------------------------------------------------------------------------

def test_the_python_example_signs_and_calls_every_endpoint_with_the_documented_answers(belfry):
    assert "snippets/reference/pusher_http.py" in page("http-api.md")
    with connect(ws_url(belfry)) as listener, connect(ws_url(belfry)) as user42:
        sid = socket_id(listener)
        subscribe(listener, "news", sid)
        member = json.dumps({"user_id": "7", "user_info": {"name": "Ada"}})
        subscribe(listener, "presence-lobby", sid, member)
        sid42 = socket_id(user42)
        user_data = json.dumps({"id": "42"})
        user42.send(json.dumps({"event": "pusher:signin",
                                "data": {"user_data": user_data, "auth": sign(f"{sid42}::user::{user_data}")}}))
        assert frames(user42)[0]["event"] == "pusher:signin_success"

        out = run(["python3", snippet("reference/pusher_http.py")], belfry.env()).stdout
        answers = [json.loads(line) for line in out.splitlines()]
        assert [a["request"] for a in answers] == [
            "POST /apps/1001/events", "POST /apps/1001/batch_events", "GET /apps/1001/channels",
            "GET /apps/1001/channels", "GET /apps/1001/channels/news", "GET /apps/1001/channels/presence-lobby",
            "GET /apps/1001/channels/cache-scores", "GET /apps/1001/channels/presence-lobby/users",
            "POST /apps/1001/users/42/terminate_connections"]
        assert all(a["status"] == 200 for a in answers), answers
        body = [a["body"] for a in answers]
        assert body[0] == {"channels": {"news": {"subscription_count": 1},
                                        "presence-lobby": {"user_count": 1, "subscription_count": 1}}}
        assert body[1] == {"batch": [{"subscription_count": 1}, {}]}
        assert body[2]["channels"]["news"] == {} and body[2]["channels"]["presence-lobby"] == {}
        assert body[3] == {"channels": {"presence-lobby": {"user_count": 1}}}
        assert body[4] == {"occupied": True, "subscription_count": 1}
        assert body[5] == {"occupied": True, "user_count": 1, "subscription_count": 1}
        cache = body[6]
        assert cache["occupied"] is False and cache["cache"]["event"] == "score"
        assert json.loads(cache["cache"]["data"]) == {"home": 2, "away": 1}
        assert 0 < cache["cache"]["ttl"] <= 1800
        assert body[7] == {"users": [{"id": "7"}]}
        assert body[8] == {}

        # The listener got both publishes to news (the events and the batch), data as sent.
        received = [f for f in frames(listener, 3) if f.get("channel") == "news"]
        assert [(f["event"], f["data"]) for f in received] == [("greeting", '{"text": "hello"}'), ("greeting", "one")]
        # terminate_connections: pusher:error 4009, then the close frame with 4009.
        [error] = frames(user42)
        assert error == {"event": "pusher:error", "data": {"code": 4009, "message": "You got disconnected by the app"}}
        with pytest.raises(Exception):
            user42.recv(timeout=5)
        assert user42.close_code == 4009


def test_the_curl_example_publishes_an_event(belfry):
    assert "snippets/reference/trigger.sh" in page("http-api.md")
    with connect(ws_url(belfry)) as listener:
        subscribe(listener, "news", socket_id(listener))
        out = run(["sh", snippet("reference/trigger.sh")], belfry.env()).stdout
        assert out.strip() == "{}"
        [event] = frames(listener)
        assert event == {"event": "greeting", "channel": "news", "data": '{"text":"hello"}'}


def _refusals(server):
    """(what, response, documented status, documented error text) of the HTTP API's refusals."""
    events = "/apps/1001/events"
    ok = json.dumps({"name": "e", "channel": "news", "data": "x"}).encode()
    yield "missing auth_key", requests.post(f"http://127.0.0.1:{server.port}{events}", data=ok, timeout=5), \
        401, "Missing parameter: auth_key"
    yield "wrong key", api(server, "POST", events, body=ok, key="other-key"), \
        401, 'Unknown auth_key: "other-key" is not this app\'s key'
    yield "old timestamp", api(server, "POST", events, body=ok, timestamp=int(time.time()) - 601), \
        401, "Timestamp expired: Given timestamp ("
    yield "wrong secret", api(server, "POST", events, body=ok, secret="not-the-secret"), \
        401, "Invalid signature: you should have sent HmacSHA256Hex("
    yield "unknown app", api(server, "GET", "/apps/9999/channels"), 404, "Unknown app id 9999"
    yield "unknown route", api(server, "GET", "/apps/1001/nothing"), 404, "No route for GET /apps/1001/nothing"
    yield "disabled app", api(server, "GET", "/apps/1003/channels", key="legacy-game-key",
                              secret="legacy-game-secret"), \
        403, "Application disabled: app 1003 has spec.enabled: false"
    batch = json.dumps({"batch": [{"name": "e", "channel": "c", "data": "x"}] * 11}).encode()
    yield "batch of 11", api(server, "POST", "/apps/1001/batch_events", body=batch), 400, "Batch too large (11 > 10)"
    big = json.dumps({"name": "e", "channel": "news", "data": "x" * 10241}).encode()
    yield "data over 10 KB", api(server, "POST", events, body=big), \
        413, "Request Entity Too Large: The data content of this event exceeds the allowed maximum (10240 bytes)"
    many = json.dumps({"name": "e", "channels": [f"c{i}" for i in range(101)], "data": "x"}).encode()
    yield "101 channels", api(server, "POST", events, body=many), 400, "Event has 101 channels; the limit is 100"
    yield "user_count without prefix", api(server, "GET", "/apps/1001/channels", {"info": "user_count"}), \
        400, "info=user_count needs filter_by_prefix=presence-"
    yield "users of a public channel", api(server, "GET", "/apps/1001/channels/news/users"), \
        400, "Users are only available for presence channels"
    yield "cache info on a plain channel", api(server, "GET", "/apps/1001/channels/news", {"info": "cache"}), \
        400, "info=cache is only available for cache channels"
    yield "body not JSON", api(server, "POST", events, body=b"nope"), 400, "Body is not valid JSON"
    no_channel = json.dumps({"name": "e", "data": "x"}).encode()
    yield "no channel", api(server, "POST", events, body=no_channel), 400, '"channels" or "channel" is required'
    bad_socket = json.dumps({"name": "e", "channel": "news", "data": "x", "socket_id": "abc"}).encode()
    yield "bad socket_id", api(server, "POST", events, body=bad_socket), 400, '"socket_id" must look like 1234.5678'
    bad_info = json.dumps({"name": "e", "channel": "news", "data": "x", "info": "x"}).encode()
    yield "unknown info", api(server, "POST", events, body=bad_info), \
        400, 'Unknown info attribute "x"; use user_count, subscription_count'
    bad_name = json.dumps({"name": "e", "channel": "a b", "data": "x"}).encode()
    yield "bad channel name", api(server, "POST", events, body=bad_name), \
        400, 'Invalid channel "a b": channel name contains " "; allowed are A-Z a-z 0-9 _ - = @ , . ;'
    yield "bad user id", api(server, "POST", "/apps/1001/users/a%20b/terminate_connections"), 400, "Invalid user id"
    yield "auth_version 2.0", api(server, "GET", "/apps/1001/channels", {"auth_version": "2.0"}), \
        401, 'Version not supported: auth_version "2.0"; expected 1.0'


def test_every_documented_refusal_answers_as_the_table_says(belfry):
    text = page("http-api.md")
    for what, response, status, message in _refusals(belfry):
        assert response.status_code == status, (what, response.status_code, response.text)
        error = response.json()["error"]
        assert error.startswith(message), (what, error)
        assert message in text, f"http-api.md does not show the refusal '{message}' ({what})"


def test_data_that_is_not_a_string_is_published_serialized(belfry):
    with connect(ws_url(belfry)) as listener:
        subscribe(listener, "news", socket_id(listener))
        body = json.dumps({"name": "greeting", "channel": "news", "data": {"text": "hi"}}).encode()
        assert api(belfry, "POST", "/apps/1001/events", body=body).json() == {}
        [event] = frames(listener)
        assert event["data"] == '{"text":"hi"}'
    assert "serialized to a string" in page("http-api.md")


LIMITED = """apiVersion: belfry.dev/v1
kind: App
metadata:
  name: limited
spec:
  id: "2001"
  key: limited-key
  secret: { value: limited-secret }
  limits:
    maxConnections: 1
    apiRequestsPerSecond: 1
    backendEventsPerSecond: 1
---
apiVersion: belfry.dev/v1
kind: App
metadata:
  name: crowded
spec:
  id: "2002"
  key: crowded-key
  secret: { value: crowded-secret }
  limits:
    maxConnectionsPerAddress: 1
"""


def test_rate_limits_answer_429_and_the_connection_quota_4004(belfry_with):
    server = belfry_with({"limited.yaml": LIMITED})
    creds = {"key": "limited-key", "secret": "limited-secret"}
    reads = [api(server, "GET", "/apps/2001/channels", **creds) for _ in range(3)]
    refused = reads[-1]
    assert refused.status_code == 429, [r.status_code for r in reads]
    assert refused.json() == {"error": "Rate limit of 1 API requests per second exceeded for app 2001"}
    assert refused.headers["X-RateLimit-Limit"] == "1" and refused.headers["X-RateLimit-Remaining"] == "0"
    assert int(refused.headers["Retry-After"]) >= 1
    event = json.dumps({"name": "e", "channel": "news", "data": "x"}).encode()
    publishes = [api(server, "POST", "/apps/2001/events", body=event, **creds) for _ in range(3)]
    assert publishes[-1].status_code == 429
    assert publishes[-1].json() == {"error": "Rate limit of 1 events per second exceeded for app 2001"}
    text = page("http-api.md")
    assert "Rate limit of 50 API requests per second exceeded for app 1002" in text
    assert "Rate limit of 200 events per second exceeded for app 1002" in text
    # maxConnections 1: the second connection is closed with 4004.
    with connect(ws_url(server, "limited-key")) as first:
        socket_id(first)
        with connect(ws_url(server, "limited-key")) as second:
            [error] = frames(second)
            assert error["data"] == {"code": 4004, "message": "Application is over connection quota"}
    # maxConnectionsPerAddress 1: the second handshake from this address gets HTTP 429, no upgrade.
    with connect(ws_url(server, "crowded-key")) as first:
        socket_id(first)
        with pytest.raises(Exception) as refusal:
            connect(ws_url(server, "crowded-key"))
        assert "429" in str(refusal.value)
    assert "| 429 | more than `maxConnectionsPerAddress`" in page("protocol.md")


def test_health_and_readiness_on_the_public_port(belfry):
    base = f"http://127.0.0.1:{belfry.port}"
    assert requests.get(f"{base}/healthz", timeout=5).json() == {"status": "ok"}
    ready = requests.get(f"{base}/readyz?verbose", timeout=5).json()
    assert ready["status"] == "ready"
    documented = set(re.findall(r"^\| `(\w+)` \| (?:yes|no) \|", page("admin.md"), re.M))
    assert set(ready["checks"]) <= documented, set(ready["checks"]) - documented


# --- protocol.md ----------------------------------------------------------------------------------

def test_the_protocol_walkthrough_runs_as_shown(belfry):
    text = page("protocol.md")
    assert "snippets/reference/protocol_walkthrough.py" in text
    out = run(["python3", snippet("reference/protocol_walkthrough.py")], belfry.env()).stdout
    received = [json.loads(line[2:]) for line in out.splitlines() if line.startswith("< ")]
    events = [f["event"] for f in received]
    assert events == [
        "pusher:connection_established", "pusher:pong", "pusher_internal:subscription_succeeded",
        "pusher_internal:subscription_succeeded", "pusher_internal:subscription_succeeded", "pusher:signin_success",
        "pusher:error", "pusher:subscription_error", "pusher:connection_established",
        "pusher_internal:subscription_succeeded", "pusher_internal:member_added", "client-typing",
        "pusher_internal:member_removed"], out
    assert json.loads(received[0]["data"])["activity_timeout"] == 120
    presence = json.loads(received[4]["data"])["presence"]
    assert presence == {"ids": ["1"], "hash": {"1": {"name": "Ada"}}, "count": 1}
    assert received[6]["data"]["code"] is None
    assert received[7]["data"]["type"] == "AuthError" and received[7]["data"]["status"] == 401
    assert received[11] == {"event": "client-typing", "channel": "presence-lobby", "data": {"typing": True},
                            "user_id": "2"}
    assert out.rstrip().endswith("# closed with code 1000")
    for event in {e for e in events if e.startswith("pusher")}:
        assert f"`{event}`" in text, f"protocol.md does not name {event}"


def _codes_in_sources() -> set[int]:
    """Every close code the server sends or records: the CloseCode enum and the RFC 6455 codes."""
    codes: set[int] = set()
    enum = (SOURCES / "PusherProtocol" / "CloseCode.swift").read_text()
    codes |= {int(c) for c in re.findall(r"case \w+ = (\d{4})", enum)}
    for path in list((SOURCES / "BelfryServer").glob("*.swift")) + list((SOURCES / "PusherProtocol").glob("*.swift")):
        swift = path.read_text()
        for pattern in (r"code: (1\d{3})\b", r"\? (1\d{3}) : (1\d{3})", r"return (1\d{3})\b", r"\?\? (1\d{3})\b"):
            for match in re.findall(pattern, swift):
                codes |= {int(c) for c in ([match] if isinstance(match, str) else match)}
    return codes


def _codes_in_table() -> set[int]:
    section = page("protocol.md").split("## Close codes", 1)[1].split("\n## ", 1)[0]
    return {int(c) for c in re.findall(r"^\| (\d{4}) \|", section, re.M)}


def test_every_close_code_in_the_sources_is_in_the_table_and_no_other():
    sources, table = _codes_in_sources(), _codes_in_table()
    assert {4001, 4009, 4301, 1002, 1009} <= sources, sources  # the extraction still finds them
    assert sources - table == set(), f"codes in Sources missing from protocol.md: {sorted(sources - table)}"
    assert table - sources == set(), f"codes in protocol.md that Sources never send: {sorted(table - sources)}"


def test_every_subscription_error_type_is_documented():
    swift = (SOURCES / "BelfryServer" / "WebSocketSession+Messages.swift").read_text()
    types = set(re.findall(r'type: "(\w+)"', swift))
    assert {"AuthError", "LimitReached"} <= types
    text = page("protocol.md")
    for t in types:
        assert f"`{t}`" in text, f"subscription_error type {t} is not in protocol.md"


@pytest.mark.parametrize("key,query,code", [
    ("nope", "protocol=7", 4001),
    ("legacy-game-key", "protocol=7", 4003),
    ("chat-key", "client=js", 4008),
    ("chat-key", "protocol=4", 4007),
])
def test_refused_handshakes_close_with_the_documented_code(belfry, key, query, code):
    with connect(ws_url(belfry, key, query)) as ws:
        [error] = frames(ws)
        assert error["event"] == "pusher:error" and error["data"]["code"] == code, error
        with pytest.raises(Exception):
            ws.recv(timeout=5)
        assert ws.close_code == code
    assert code in _codes_in_table()


def test_a_wrong_path_closes_with_4005(belfry):
    with connect(f"ws://127.0.0.1:{belfry.port}/socket") as ws:
        [error] = frames(ws)
        assert error["data"] == {"code": 4005, "message": "Path not found: expected /app/{key}"}
        with pytest.raises(Exception):
            ws.recv(timeout=5)
        assert ws.close_code == 4005


def test_client_event_refusals_are_4301_and_keep_the_connection(belfry):
    with connect(ws_url(belfry)) as ws:
        sid = socket_id(ws)
        subscribe(ws, "news", sid)
        ws.send(json.dumps({"event": "client-x", "channel": "news", "data": {}}))
        [error] = frames(ws)
        assert error["data"] == {"code": 4301, "message": "Client events are only allowed on private and presence channels"}
        ws.send(json.dumps({"event": "pusher:ping", "data": {}}))
        assert frames(ws)[0]["event"] == "pusher:pong"
    assert "Client events are only allowed on private and presence channels" in page("protocol.md")


# --- admin.md -------------------------------------------------------------------------------------

def _metric_names_in_sources() -> set[str]:
    return set(re.findall(r'"(belfry_[a-z_]+)"', (SOURCES / "belfry" / "MetricsExport.swift").read_text()))


def test_every_metric_is_documented_and_every_documented_metric_exists(belfry):
    # Traffic first: a connection, subscriptions, a publish, a refused subscription, an HTTP read.
    with connect(ws_url(belfry)) as ws:
        sid = socket_id(ws)
        subscribe(ws, "news", sid)
        ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "private-x", "auth": "chat-key:00"}}))
        frames(ws, 2)
        assert api(belfry, "POST", "/apps/1001/events",
                   body=json.dumps({"name": "e", "channel": "news", "data": "x"}).encode()).status_code == 200
        frames(ws)
        assert api(belfry, "GET", "/apps/1001/channels").status_code == 200
        admin = belfry.env()["BELFRY_ADMIN_URL"]

        def scraped() -> str:
            text = requests.get(f"{admin}/metrics", timeout=5).text
            return text if "belfry_reconcile_last_pass_timestamp_seconds" in text else ""
        scrape = wait_until(scraped, message="a reconcile pass in /metrics")
    exposed = set(re.findall(r"^# TYPE (belfry_\w+) ", scrape, re.M))
    assert {"belfry_connected", "belfry_rejections_total", "belfry_subscriptions_total"} <= exposed
    assert 'reason="subscription AuthError"' in scrape
    text = page("admin.md")
    documented = set(re.findall(r"`(belfry_[a-z_]+)", text))
    assert exposed - documented == set(), f"metrics missing from admin.md: {sorted(exposed - documented)}"
    in_sources = _metric_names_in_sources()
    assert in_sources - documented == set(), f"metrics in Sources missing from admin.md: {sorted(in_sources - documented)}"
    assert documented - exposed - in_sources == set(), \
        f"admin.md documents metrics that do not exist: {sorted(documented - exposed - in_sources)}"
    # Each metric's type as documented in the table (`name` | type |) is the exposed one.
    types = dict(re.findall(r"^# TYPE (belfry_\w+) (\w+)", scrape, re.M))
    rows = dict(re.findall(r"^\| `(belfry_[a-z_]+)`[^|]*\| (counter|gauge) \|", text, re.M))
    for name, kind in types.items():
        assert rows.get(name) == kind, f"{name}: exposed as {kind}, documented as {rows.get(name)}"


def test_the_admin_example_runs(belfry):
    assert "snippets/reference/admin_endpoints.sh" in page("admin.md")
    out = run(["sh", snippet("reference/admin_endpoints.sh")], belfry.env()).stdout.splitlines()
    assert out[0] == '{"status":"ok"}'
    assert json.loads(out[1])["status"] == "ready"
    capacity = json.loads(out[2])
    assert capacity["status"] == "ok" and "descriptors" in capacity
    assert any(line.startswith('belfry_connected{app_id="1001",app="chat"}') for line in out)
    assert json.loads(out[-1])["lastResult"] in {"applied", "noChange"}


def test_the_admin_port_refuses_as_documented(belfry):
    admin = belfry.env()["BELFRY_ADMIN_URL"]
    text = page("admin.md")
    status = requests.get(f"{admin}/api/v1/status", timeout=5)
    assert status.status_code == 401 and status.json()["error"].startswith("Sign in to the status page")
    page_answer = requests.get(f"{admin}/", allow_redirects=False, timeout=5)
    assert page_answer.status_code == 303 and page_answer.headers["Location"] == "/login"
    internal = requests.get(f"{admin}/internal/v1/state", timeout=5,
                            headers={"Authorization": f"Bearer {belfry.api_token}"})
    assert internal.status_code == 401
    assert internal.json()["error"] == "Send Authorization: Bearer <admin token> (DATA_DIR/admin-token)"
    token = (belfry.root / "data" / "admin-token").read_text().strip()
    state = requests.get(f"{admin}/internal/v1/state", timeout=5, headers={"Authorization": f"Bearer {token}"})
    assert state.status_code == 200 and "apps" in state.json()
    rebinding = requests.get(f"{admin}/healthz", headers={"Host": "evil.example"}, timeout=5)
    assert rebinding.status_code == 421
    for phrase in ("Send Authorization: Bearer <admin token> (DATA_DIR/admin-token)", "421", "303"):
        assert phrase in text


def test_metrics_token_closes_metrics(belfry_with, tmp_path: Path):
    server = belfry_with({}, "--metrics-token", "scrape-me")
    admin = server.env()["BELFRY_ADMIN_URL"]
    assert requests.get(f"{admin}/metrics", timeout=5).status_code == 401
    scrape = requests.get(f"{admin}/metrics", headers={"Authorization": "Bearer scrape-me"}, timeout=5)
    assert scrape.status_code == 200 and "# TYPE belfry_connected gauge" in scrape.text
    assert scrape.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "--metrics-token" in page("admin.md")


def test_every_api_v1_route_of_the_openapi_document_is_listed(belfry):
    admin = belfry.env()["BELFRY_ADMIN_URL"]
    served = requests.get(f"{admin}/api/v1/openapi.json", timeout=5,
                          headers={"Authorization": f"Bearer {belfry.api_token}"})
    assert served.status_code == 200
    document = json.loads((SOURCES / "belfry" / "Resources" / "openapi.json").read_text())
    assert served.json()["paths"].keys() == document["paths"].keys()
    text = page("admin.md")
    for path, operations in document["paths"].items():
        assert path in text, f"{path} is not in admin.md"
        for method in operations:
            if method != "parameters":
                assert f"`{method.upper()}" in text


def test_protocol_refusals_and_replies_as_documented(belfry):
    text = page("protocol.md")
    with connect(ws_url(belfry)) as ws:
        sid = socket_id(ws)
        ws.send(b"\x01\x02")
        assert frames(ws)[0]["data"] == {"code": None,
                                         "message": "Binary frames are not supported; send JSON text frames"}
        ws.send(json.dumps({"event": "pusher:foo", "data": {}}))
        assert frames(ws)[0]["data"] == {"code": None, "message": 'Unknown event "pusher:foo"'}
        ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "bad name"}}))
        error, refusal = frames(ws, 2)
        assert error["data"]["code"] is None and refusal["data"]["type"] == "InvalidChannel"
        assert refusal["data"]["status"] == 400
        ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "#server-to-user-9"}}))
        error, refusal = frames(ws, 2)
        assert refusal["data"]["type"] == "AuthError" and refusal["data"]["status"] == 403
        # Cache channels: a miss, then (after a publish) the last event replayed after subscribing.
        ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "cache-weather"}}))
        succeeded, miss = frames(ws, 2)
        assert miss == {"event": "pusher:cache_miss", "channel": "cache-weather"}
        body = json.dumps({"name": "forecast", "channel": "cache-weather", "data": "rain"}).encode()
        assert api(belfry, "POST", "/apps/1001/events", body=body).status_code == 200
        frames(ws)  # the event itself, to this subscriber
        with connect(ws_url(belfry)) as late:
            subscribe(late, "cache-weather", socket_id(late))
            assert frames(late)[0] == {"event": "forecast", "channel": "cache-weather", "data": "rain"}
        # Sign-in: a wrong signature is pusher:error 4009 and the connection stays; a watchlist of
        # 101 ids is signed in, told who is online and offline, then warned with 4302.
        ws.send(json.dumps({"event": "pusher:signin", "data": {"user_data": '{"id":"5"}', "auth": "chat-key:00"}}))
        [error] = frames(ws)
        assert error["data"]["code"] == 4009 and error["data"]["message"].startswith("Sign-in refused: ")
        user_data = json.dumps({"id": "5", "watchlist": [f"u{i}" for i in range(101)]})
        ws.send(json.dumps({"event": "pusher:signin",
                            "data": {"user_data": user_data, "auth": sign(f"{sid}::user::{user_data}")}}))
        success, watchlist, warning = frames(ws, 3)
        assert success["event"] == "pusher:signin_success"
        assert watchlist["event"] == "pusher_internal:watchlist_events"
        assert watchlist["data"]["events"][0]["name"] == "offline"
        assert len(watchlist["data"]["events"][0]["user_ids"]) == 100
        assert warning["data"] == {"code": 4302,
                                   "message": "Watchlist limit exceeded; only the first 100 user ids are watched"}
        # A message over 64 KiB closes with 1009.
        ws.send(json.dumps({"event": "client-big", "channel": "private-x", "data": "x" * 70000}))
        with pytest.raises(Exception):
            ws.recv(timeout=5)
        assert ws.close_code == 1009
    for phrase in ("Binary frames are not supported; send JSON text frames", 'Unknown event "pusher:foo"',
                   "`InvalidChannel`", "`pusher:cache_miss`", "Sign-in refused: ",
                   "Watchlist limit exceeded; only the first 100 user ids are watched", "Message too large"):
        assert phrase in text, phrase


def test_a_refused_handshake_counts_even_for_an_app_that_never_had_a_connection(belfry_with):
    """legacy-game (examples/config) is disabled: its first refusal is in belfry_rejections_total."""
    server = belfry_with({})
    with connect(ws_url(server, key="legacy-game-key")) as ws:
        assert frames(ws)[0]["data"]["code"] == 4003
    admin = server.env()["BELFRY_ADMIN_URL"]
    line = re.compile(r'^belfry_rejections_total\{[^}]*app="legacy-game"[^}]*reason="connection 4003"[^}]*\} 1', re.M)
    wait_until(lambda: line.search(requests.get(f"{admin}/metrics", timeout=5).text), message="the 4003 rejection")
