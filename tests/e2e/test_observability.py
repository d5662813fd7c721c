"""Counters seen from outside: /metrics (Prometheus text) and /api/v1/apps on the admin port
agree with the traffic a test sends through real clients."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pusher
import requests

from conftest import REPO_ROOT
from test_reconcile import Served, poll


def metric(text: str, name: str, app: str) -> float:
    match = re.search(rf'^{name}\{{app_id="{app}",app="[^"]*"\}} (\S+)$', text, re.M)
    assert match, f"{name} for {app} missing"
    return float(match.group(1))


def test_metrics_and_apps_follow_the_traffic(tmp_path: Path):
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "examples" / "config", config)
    served = Served(tmp_path, config)
    try:
        clients = []
        for _ in range(3):
            ws, _ = served.connect("chat-key")
            ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "news"}}))
            assert json.loads(ws.recv(timeout=5))["event"] == "pusher_internal:subscription_succeeded"
            clients.append(ws)
        sdk = pusher.Pusher(app_id="1001", key="chat-key", secret="chat-secret", host="127.0.0.1",
                            port=served.port, ssl=False)
        for i in range(4):
            sdk.trigger("news", "tick", {"i": i})
        for ws in clients:
            for _ in range(4):
                assert json.loads(ws.recv(timeout=5))["event"] == "tick"
        clients[0].close()

        admin = f"http://127.0.0.1:{served.admin_port}"
        text = poll(lambda: (t := requests.get(f"{admin}/metrics", timeout=5).text)
                    and metric(t, "belfry_new_disconnections_total", "1001") == 1 and t)
        assert metric(text, "belfry_connected", "1001") == 2
        assert metric(text, "belfry_new_connections_total", "1001") == 3
        assert metric(text, "belfry_subscriptions_total", "1001") == 3
        assert metric(text, "belfry_ws_messages_sent_total", "1001") == 12
        assert metric(text, "belfry_http_calls_received_total", "1001") == 4
        assert metric(text, "belfry_connected", "1002") == 0
        assert "belfry_reconcile_consecutive_failures 0" in text

        # Each App manifest with its live figures in a read-only `status`.
        apps = {a["metadata"]["name"]: a["status"] for a in served.admin("GET", "/api/v1/apps").json()["apps"]}
        assert apps["chat"]["connections"] == 2 and apps["chat"]["messagesDelivered"] == 12
        assert apps["chat"]["channels"] == 1 and apps["legacy-game"]["enabled"] is False
    finally:
        served.stop()


def test_statistics_reach_sqlite_the_api_and_the_cli(tmp_path: Path):
    import subprocess

    from conftest import BELFRY_BIN

    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "examples" / "config", config)
    served = Served(tmp_path, config, "--stats-interval", "1")
    admin = f"http://127.0.0.1:{served.admin_port}"
    try:
        clients = []
        for _ in range(2):
            ws, _ = served.connect("chat-key")
            ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "news"}}))
            ws.recv(timeout=5)
            clients.append(ws)
        sdk = pusher.Pusher(app_id="1001", key="chat-key", secret="chat-secret", host="127.0.0.1",
                            port=served.port, ssl=False)
        for i in range(5):
            sdk.trigger("news", "tick", {"i": i})
        for ws in clients:
            for _ in range(5):
                ws.recv(timeout=5)

        def totals():
            report = served.admin("GET", "/api/v1/stats", params={"app": "chat", "by": "minute"}).json()
            return report["totals"] if report["totals"]["messagesDelivered"] == 10 else None

        totals = poll(totals)
        assert totals["newConnections"] == 2 and totals["subscriptions"] == 2 and totals["peakConnections"] == 2
        assert totals["apiRequests"] == {"POST events 200": 5}
        assert totals["bytesOut"] > 0
        csv = served.admin("GET", "/api/v1/stats", params={"app": "chat", "by": "hour", "format": "csv"})
        assert csv.headers["Content-Type"].startswith("text/csv") and csv.text.splitlines()[0].startswith("period")
        every = served.admin("GET", "/api/v1/stats", params={"by": "hour"}).json()  # no app: every app
        assert [r["app"] for r in every["apps"]] == ["chat", "dashboard", "legacy-game"]
        assert every["total"]["totals"]["messagesDelivered"] == 10
        unknown = served.admin("GET", "/api/v1/stats", params={"app": "nosuch"})
        assert unknown.status_code == 404 and "chat, dashboard, legacy-game" in unknown.json()["error"]
        profile = served.admin("GET", "/api/v1/stats", params={"app": "chat", "profile": "true"}).json()
        assert profile["busiestHour"]["peakConnections"] == 2
    finally:
        for ws in clients:
            ws.close()
        # Both closing handshakes are done before SIGTERM (else the drain's 4200 may win the race).
        poll(lambda: all(a["status"]["connections"] == 0
                         for a in served.admin("GET", "/api/v1/apps").json()["apps"]))
        served.stop()

    # After the shutdown's final flush, the CLI reads the same database.
    out = subprocess.run(
        [str(BELFRY_BIN), "stats", "--app", "chat", "--data-dir", str(served.data), "--by", "day", "--format", "json"],
        capture_output=True, text=True, timeout=30,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["totals"]["messagesDelivered"] == 10
    assert report["totals"]["disconnections"].get("1000") == 2
    table = subprocess.run(
        [str(BELFRY_BIN), "stats", "--app", "chat", "--data-dir", str(served.data)], capture_output=True, text=True
    )
    assert table.returncode == 0 and "peak" in table.stdout.lower()


def test_json_logs_have_the_fields_and_no_secrets(tmp_path: Path):
    import hashlib
    import hmac

    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "examples" / "config", config)
    served = Served(tmp_path, config)
    try:
        ws, first = served.connect("chat-key")
        socket_id = json.loads(first["data"])["socket_id"]
        signature = hmac.new(b"chat-secret", f"{socket_id}:private-x".encode(), hashlib.sha256).hexdigest()
        ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "private-x", "auth": "chat-key:" + "0" * 64}}))
        ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "private-x", "auth": f"chat-key:{signature}"}}))
        events = [json.loads(ws.recv(timeout=5))["event"] for _ in range(3)]
        assert events == ["pusher:error", "pusher:subscription_error", "pusher_internal:subscription_succeeded"]
        ws.close()
        served.connect("no-such-key")
        poll(lambda: '"disconnected"' in (tmp_path / "server.log").read_text())
    finally:
        served.stop()
    lines = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines() if line.startswith("{")]
    assert lines and all({"time", "level", "msg"} <= line.keys() for line in lines)
    connected = next(line for line in lines if line["msg"] == "connected")
    assert {"app", "app_id", "socket_id", "remote", "origin", "protocol", "client"} <= connected.keys()
    assert connected["app"] == "chat" and connected["app_id"] == "1001"
    assert re.fullmatch(r"127\.0\.0\.1:\d+", connected["remote"]), connected["remote"]
    disconnected = next(line for line in lines if line["msg"] == "disconnected")
    assert disconnected["socket_id"] == socket_id and disconnected["app"] == "chat"
    assert isinstance(disconnected["code"], int) and isinstance(disconnected["duration_ms"], int)
    refused = next(line for line in lines if line["msg"] == "subscription refused")
    assert refused["channel"] == "private-x" and refused["socket_id"] == socket_id and refused["app_id"] == "1001"
    assert any(line["msg"] == "connection refused" and line["code"] == 4001 for line in lines)
    # Message routing is logged at debug only.
    assert not any(line["msg"] in ("subscribed", "published", "client event") for line in lines)
    text = (tmp_path / "server.log").read_text()
    for secret in ("chat-secret", "dashboard-secret", signature):
        assert secret not in text


def test_readyz_names_its_checks(tmp_path: Path):
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "examples" / "config", config)
    served = Served(tmp_path, config)
    try:
        everything_ok = {"status": "ready", "checks": {"server": "ok", "config": "ok", "capacity": "ok",
                                                      "reconcile": "ok", "database": "ok", "statistics": "ok",
                                                      "webhooks": "ok"}}
        # Both ports, once the startup pass has finished.
        for port in (served.port, served.admin_port):
            poll(lambda: requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json() == everything_ok)
        assert requests.get(f"http://127.0.0.1:{served.port}/healthz", timeout=5).json() == {"status": "ok"}
        verbose = requests.get(f"http://127.0.0.1:{served.port}/readyz?verbose", timeout=5).json()["checks"]
        assert verbose["server"]["phase"] == "running" and verbose["server"]["uptimeSeconds"] >= 0
        assert verbose["config"]["apps"] == 3 and verbose["config"]["revision"].startswith("dir:")
        capacity = verbose["capacity"]
        assert {"app": "dashboard", "connections": 0, "maxConnections": 5000} in capacity["apps"]
        assert capacity["descriptors"]["processLimit"] > 0 and capacity["rssBytes"] > 1_000_000
        assert verbose["reconcile"]["lastResult"] in ("noChange", "applied")
        assert verbose["reconcile"]["sourceReachable"] is True and verbose["reconcile"]["lastPassAgeSeconds"] >= 0
        assert verbose["statistics"]["intervalSeconds"] == 5
        # A broken source: still ready (it serves the last good configuration), but reported.
        (config / "chat.yaml").write_text((config / "chat.yaml").read_text().replace('id: "1001"', "id: 1001"))
        degraded = poll(lambda: (b := requests.get(f"http://127.0.0.1:{served.port}/readyz", timeout=5)).status_code
                        == 200 and b.json()["checks"]["reconcile"].startswith("degraded: revision") and b)
        assert "is invalid; serving" in degraded.json()["checks"]["reconcile"]
    finally:
        served.stop()


def test_client_events_count_as_received_and_delivered(tmp_path: Path):
    import hashlib
    import hmac

    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "examples" / "config", config)
    served = Served(tmp_path, config)
    try:
        sockets = []
        for _ in range(2):
            ws, first = served.connect("chat-key")
            socket_id = json.loads(first["data"])["socket_id"]
            signature = hmac.new(b"chat-secret", f"{socket_id}:private-talk".encode(), hashlib.sha256).hexdigest()
            ws.send(json.dumps({"event": "pusher:subscribe",
                                "data": {"channel": "private-talk", "auth": f"chat-key:{signature}"}}))
            assert json.loads(ws.recv(timeout=5))["event"] == "pusher_internal:subscription_succeeded"
            sockets.append(ws)
        sockets[0].send(json.dumps({"event": "client-typing", "channel": "private-talk", "data": {}}))
        assert json.loads(sockets[1].recv(timeout=5))["event"] == "client-typing"
        text = requests.get(f"http://127.0.0.1:{served.admin_port}/metrics", timeout=5).text
        assert metric(text, "belfry_ws_messages_received_total", "1001") == 1
        assert metric(text, "belfry_ws_messages_sent_total", "1001") == 1
    finally:
        served.stop()


def test_shutdown_flushes_statistics_written_since_the_last_interval(tmp_path: Path):
    """With an hour between flushes, only the flush during shutdown can save the traffic."""
    import subprocess

    from conftest import BELFRY_BIN

    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "examples" / "config", config)
    served = Served(tmp_path, config, "--stats-interval", "3600")
    try:
        ws, _ = served.connect("chat-key")
        ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "late"}}))
        ws.recv(timeout=5)
        sdk = pusher.Pusher(app_id="1001", key="chat-key", secret="chat-secret", host="127.0.0.1",
                            port=served.port, ssl=False)
        for i in range(3):
            sdk.trigger("late", "tick", {"i": i})
        for _ in range(3):
            ws.recv(timeout=5)
        ws.close()
    finally:
        served.stop()
    log = (tmp_path / "server.log").read_text()
    out = subprocess.run(
        [str(BELFRY_BIN), "stats", "--app", "chat", "--data-dir", str(served.data), "--by", "day", "--format", "json"],
        capture_output=True, text=True, timeout=30,
    )
    assert out.returncode == 0, out.stderr
    totals = json.loads(out.stdout)["totals"]
    assert totals["messagesDelivered"] == 3, log
    assert totals["apiRequests"] == {"POST events 200": 3}


def test_a_port_in_use_fails_start_up_with_one_clear_error(tmp_path: Path):
    """The bind error is the only error: the statistics flush on the way out is not cancelled."""
    import socket
    import subprocess

    from conftest import BELFRY_BIN

    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    try:
        proc = subprocess.run(
            [str(BELFRY_BIN), "serve", "--source", str(REPO_ROOT / "examples" / "config"), "--host", "127.0.0.1",
             "--port", str(blocker.getsockname()[1]), "--admin-port", "0", "--data-dir", str(tmp_path / "data"),
             "--log-format", "json"],
            capture_output=True, text=True, timeout=30,
        )
    finally:
        blocker.close()
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Address already in use" in output
    assert "cannot write statistics" not in output, output


def test_debug_logs_route_every_message_without_its_data(tmp_path: Path):
    import pusher

    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "examples" / "config", config)
    served = Served(tmp_path, config, "--log-level", "debug")
    try:
        ws, _ = served.connect("chat-key")
        ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "news"}}))
        assert json.loads(ws.recv(timeout=5))["event"] == "pusher_internal:subscription_succeeded"
        sdk = pusher.Pusher(app_id="1001", key="chat-key", secret="chat-secret", host="127.0.0.1",
                            port=served.port, ssl=False)
        sdk.trigger("news", "tick", {"secret-payload": 1})
        assert json.loads(ws.recv(timeout=5))["event"] == "tick"
        ws.send(json.dumps({"event": "pusher:unsubscribe", "data": {"channel": "news"}}))
        poll(lambda: '"unsubscribed"' in (tmp_path / "server.log").read_text())
        ws.close()
    finally:
        served.stop()
    lines = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines() if line.startswith("{")]
    published = next(line for line in lines if line["msg"] == "published")
    assert published["channel"] == "news" and published["event"] == "tick" and published["recipients"] == 1
    assert published["app"] == "chat" and published["app_id"] == "1001"
    subscribed = next(line for line in lines if line["msg"] == "subscribed")
    assert subscribed["channel"] == "news" and subscribed["subscribers"] == 1
    assert any(line["msg"] == "unsubscribed" and line["channel"] == "news" for line in lines)
    assert "secret-payload" not in (tmp_path / "server.log").read_text()
