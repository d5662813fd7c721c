"""docs/examples/python.md: every snippet of docs/snippets/python run against a real server."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time

from docs_support import free_port, run, snippet
from examples_support import (PusherSocket, check_auth_endpoint, check_webhook_receiver, wait_for_event,
                              webhook_env, webhook_manifest)

PY = sys.executable


def test_trigger_with_the_sdk_reaches_a_subscriber(belfry):
    client = PusherSocket(belfry.port, "chat-key")
    try:
        client.subscribe("news")
        out = run([PY, snippet("python/trigger.py")], belfry.env()).stdout
        assert wait_for_event(client, "greeting", "news") == {"text": "hello from Python"}
        assert "trigger: {}" in out
        assert 'news: {"occupied": true, "subscription_count": 1}' in out, out
    finally:
        client.close()


def test_channel_queries_list_channels_and_presence_users(belfry, background):
    port = free_port()
    auth = background([PY, snippet("python/auth_server.py")], belfry.env(PORT=str(port)), "auth")
    auth.wait_for_port(port)
    member = PusherSocket(belfry.port, "chat-key")
    try:
        import requests
        answer = requests.post(f"http://127.0.0.1:{port}/pusher/auth",
                               data={"socket_id": member.socket_id, "channel_name": "presence-room"}, timeout=10).json()
        member.subscribe("presence-room", **answer)
        out = run([PY, snippet("python/channels.py")], belfry.env()).stdout
        lines = dict(line.split(": ", 1) for line in out.splitlines())
        assert "presence-room" in json.loads(lines["channels"])["channels"]
        assert json.loads(lines["presence"]) == {"channels": {"presence-room": {"user_count": 1}}}
        assert json.loads(lines["users"]) == {"users": [{"id": "alice"}]}
    finally:
        member.close()


def test_auth_endpoint_signs_private_and_presence_subscriptions(belfry, background):
    port = free_port()
    auth = background([PY, snippet("python/auth_server.py")], belfry.env(PORT=str(port)), "auth")
    auth.wait_for_port(port)
    check_auth_endpoint(belfry, port)
    assert "authorized presence-room" in auth.output() and "signed in alice" in auth.output()
    # A signature for another socket is refused on the channel, with the status pusher-js reports.
    import requests
    first, second = PusherSocket(belfry.port, "chat-key"), PusherSocket(belfry.port, "chat-key")
    try:
        answer = requests.post(f"http://127.0.0.1:{port}/pusher/auth",
                               data={"socket_id": first.socket_id, "channel_name": "private-orders"}, timeout=10).json()
        second.ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "private-orders", **answer}}))
        while (message := second.next())["event"] != "pusher:subscription_error":
            assert message["event"] != "pusher_internal:subscription_succeeded", message
        assert message["channel"] == "private-orders"
        error = json.loads(message["data"]) if isinstance(message["data"], str) else message["data"]
        assert error["type"] == "AuthError" and error["status"] == 401, error
    finally:
        first.close()
        second.close()


def test_subscriber_gets_public_and_private_events(belfry, background):
    port = free_port()
    auth = background([PY, snippet("python/auth_server.py")], belfry.env(PORT=str(port)), "auth")
    auth.wait_for_port(port)
    client = background([PY, snippet("python/subscribe.py")],
                        belfry.env(AUTH_URL=f"http://127.0.0.1:{port}/pusher/auth"), "subscriber")
    client.wait_for_output("pusher_internal:subscription_succeeded private-orders")
    client.wait_for_output("pusher_internal:subscription_succeeded news")
    import pusher
    sdk = pusher.Pusher(app_id="1001", key="chat-key", secret="chat-secret", host="127.0.0.1", port=belfry.port,
                        ssl=False)
    sdk.trigger("private-orders", "order-paid", {"order": 42})
    sdk.trigger("news", "greeting", {"text": "hi"})
    out = client.wait_for_output("greeting news")
    assert 'order-paid private-orders {"order":42}' in out.replace(": ", ":"), out
    assert 'greeting news {"text":"hi"}' in out.replace(": ", ":"), out


def test_webhook_receiver_verifies_the_servers_signature_and_refuses_forgeries(belfry_with, background):
    port = free_port()
    server = belfry_with({"hooks.yaml": webhook_manifest(port)})
    receiver = background([PY, snippet("python/webhook.py")], webhook_env(server, port), "webhook")
    receiver.wait_for_port(port)
    check_webhook_receiver(server, receiver, port)


def test_webhook_check_with_the_sdk():
    body = json.dumps({"time_ms": int(time.time() * 1000), "events": [{"name": "channel_occupied", "channel": "news"}]})
    good = hmac.new(b"chat-secret", body.encode(), hashlib.sha256).hexdigest()
    env = {**os.environ, "PUSHER_APP_KEY": "chat-key", "PUSHER_APP_SECRET": "chat-secret"}
    ok = run([PY, snippet("python/webhook_sdk.py"), good], env, input=body).stdout
    assert ok.startswith("verified") and "'channel': 'news'" in ok, ok
    bad = run([PY, snippet("python/webhook_sdk.py"), "0" * 64], env, input=body).stdout
    assert bad.startswith("rejected"), bad
    # The SDK also refuses a body whose time_ms is more than 300 s away from now (a replay).
    old = body.replace(str(json.loads(body)["time_ms"]), str(json.loads(body)["time_ms"] - 301_000))
    stale = hmac.new(b"chat-secret", old.encode(), hashlib.sha256).hexdigest()
    assert run([PY, snippet("python/webhook_sdk.py"), stale], env, input=old).stdout.startswith("rejected")
