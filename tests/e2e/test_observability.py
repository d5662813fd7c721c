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

        apps = {a["name"]: a for a in requests.get(f"{admin}/api/v1/apps", timeout=5).json()["apps"]}
        assert apps["chat"]["connections"] == 2 and apps["chat"]["messagesDelivered"] == 12
        assert apps["chat"]["channels"] == 1 and apps["legacy-game"]["enabled"] is False
    finally:
        served.stop()
