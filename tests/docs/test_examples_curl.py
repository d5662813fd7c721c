"""docs/examples/curl.md: the shell snippets (sh, curl, openssl, jq) run against a real server."""

from __future__ import annotations

import json
import re

import requests

from docs_support import run, snippet
from examples_support import PusherSocket, need, wait_for_event


def test_trigger_signed_in_the_shell_reaches_a_subscriber(belfry):
    need("curl", "openssl")
    client = PusherSocket(belfry.port, "chat-key")
    try:
        client.subscribe("news")
        out = run(["sh", snippet("curl/trigger.sh")], belfry.env()).stdout
        assert out.strip() == "{}", out
        assert wait_for_event(client, "greeting", "news") == {"text": "hello from curl"}
    finally:
        client.close()


def test_a_wrong_secret_gets_pushers_invalid_signature(belfry):
    need("curl", "openssl")
    out = run(["sh", snippet("curl/trigger.sh")], belfry.env(PUSHER_APP_SECRET="wrong")).stdout
    assert json.loads(out)["error"].startswith("Invalid signature"), out


def test_shell_auth_signs_subscriptions_and_the_queries_see_them(belfry):
    need("curl", "openssl", "jq")
    client = PusherSocket(belfry.port, "chat-key")
    try:
        client.subscribe("news")
        private = json.loads(run(["sh", snippet("curl/auth.sh"), client.socket_id, "private-orders"],
                                 belfry.env()).stdout)
        client.subscribe("private-orders", **private)
        member = '{"user_id":"alice","user_info":{"name":"Alice"}}'
        presence = json.loads(run(["sh", snippet("curl/auth.sh"), client.socket_id, "presence-room", member],
                                  belfry.env()).stdout)
        assert presence["channel_data"] == member
        client.subscribe("presence-room", **presence)

        lines = [json.loads(line) for line in run(["sh", snippet("curl/channels.sh")], belfry.env()).stdout.splitlines()]
        assert {"news", "private-orders", "presence-room"} <= set(lines[0]["channels"]), lines[0]
        assert lines[1] == {"channels": {"presence-room": {"user_count": 1}}}
        assert lines[2] == {"occupied": True, "subscription_count": 1}
        assert lines[3] == {"users": [{"id": "alice"}]}
    finally:
        client.close()


def test_management_api_creates_an_app_whose_credentials_work(belfry_with):
    need("curl", "openssl", "jq")
    server = belfry_with()  # its own server: this test writes apps/shop.yaml into the config
    out = run(["sh", snippet("curl/management.sh")], server.env()).stdout.splitlines()
    # The source a write's plan names: the served revision plus the change, by the token's User.
    assert re.fullmatch(r'Plan: 1 to add, 0 to change, 0 to delete\. Source: \S+@[0-9a-f]{12}\+change '
                        r'"create App shop" by alice', out[0]), out
    assert out[1] == "created: applied", out
    read = json.loads(out[2])
    assert read["applied"] is True and read["id"].isdigit() and len(read["key"]) == 20, read
    assert out[3] == "trigger: {}", out  # signed with the generated secret the creation answered
    rotated = json.loads(out[4])
    assert rotated["rotated"] == "applied" and rotated["until"].endswith("Z"), rotated
    assert out[5] == "deleted: applied", out
    gone = requests.get(f"{server.env()['BELFRY_ADMIN_URL']}/api/v1/apps/shop", timeout=5,
                        headers={"Authorization": f"Bearer {server.api_token}"})
    assert gone.status_code == 404, gone.text
    assert not (server.config / "apps" / "shop.yaml").exists()
