"""docs/examples/javascript.md: the Node snippets (built-ins only) run against a real server; the
browser snippets (pusher-js, Laravel Echo: packages that cannot be installed here) are checked
with `node --check` and for the options a self-hosted server needs."""

from __future__ import annotations

import json
import os
import subprocess

import pusher
import pytest

from docs_support import SNIPPETS, free_port, run, snippet
from examples_support import (PusherSocket, check_auth_endpoint, check_webhook_receiver, need, wait_for_event,
                              webhook_env, webhook_manifest)


@pytest.fixture(autouse=True)
def node():
    need("node")


def node_has_websocket() -> bool:
    done = subprocess.run(["node", "--experimental-websocket", "-e", "console.log(typeof WebSocket)"],
                          capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.strip() == "function"


@pytest.mark.parametrize("path", sorted(str(p.relative_to(SNIPPETS)) for p in SNIPPETS.glob("js/*.mjs")) +
                         sorted(str(p.relative_to(SNIPPETS)) for p in SNIPPETS.glob("node/*.mjs")))
def test_every_javascript_snippet_parses(path):
    run(["node", "--check", snippet(path)], dict(os.environ))


def test_browser_snippets_carry_the_self_hosted_options():
    client = snippet("js/pusher-js.mjs").read_text()
    echo = snippet("js/echo.mjs").read_text()
    for text in (client, echo):
        for option in ("wsHost:", "wsPort:", "wssPort:", "forceTLS:", 'enabledTransports: ["ws", "wss"]', "cluster:"):
            assert option in text, option
    assert 'endpoint: "/pusher/auth"' in client and 'authEndpoint: "/broadcasting/auth"' in echo


def test_trigger_reaches_a_subscriber_and_queries_the_channel(belfry):
    client = PusherSocket(belfry.port, "chat-key")
    try:
        client.subscribe("news")
        out = run(["node", snippet("node/trigger.mjs")], belfry.env()).stdout
        assert wait_for_event(client, "greeting", "news") == {"text": "hello from Node"}
        assert "trigger: 200 {}" in out, out
        info = json.loads(out.split("news: 200 ", 1)[1])
        assert info == {"occupied": True, "subscription_count": 1}, out
    finally:
        client.close()


def test_a_wrong_secret_is_refused_with_pushers_words(belfry):
    done = subprocess.run(["node", snippet("node/trigger.mjs")], env=belfry.env(PUSHER_APP_SECRET="wrong"),
                          capture_output=True, text=True, timeout=30)
    assert "trigger: 401" in done.stdout and "Invalid signature" in done.stdout, done.stdout + done.stderr


def test_auth_endpoint_signs_private_and_presence_subscriptions(belfry, background):
    port = free_port()
    auth = background(["node", snippet("node/auth-server.mjs")], belfry.env(PORT=str(port)), "auth")
    auth.wait_for_port(port)
    check_auth_endpoint(belfry, port)


def test_webhook_receiver_verifies_the_servers_signature_and_refuses_forgeries(belfry_with, background):
    port = free_port()
    server = belfry_with({"hooks.yaml": webhook_manifest(port)})
    receiver = background(["node", snippet("node/webhook.mjs")], webhook_env(server, port), "webhook")
    receiver.wait_for_port(port)
    check_webhook_receiver(server, receiver, port)


def test_node_client_subscribes_through_the_auth_endpoint_and_gets_events(belfry, background):
    assert node_has_websocket(), "this node has no WebSocket global, even with --experimental-websocket (node >= 20.10)"
    port = free_port()
    auth = background(["node", snippet("node/auth-server.mjs")], belfry.env(PORT=str(port)), "auth")
    auth.wait_for_port(port)
    client = background(["node", "--experimental-websocket", snippet("node/subscribe.mjs")],
                        belfry.env(AUTH_URL=f"http://127.0.0.1:{port}/pusher/auth"), "subscriber")
    client.wait_for_output("pusher_internal:subscription_succeeded private-orders")
    client.wait_for_output("pusher_internal:subscription_succeeded news")
    sdk = pusher.Pusher(app_id="1001", key="chat-key", secret="chat-secret", host="127.0.0.1", port=belfry.port,
                        ssl=False)
    sdk.trigger("private-orders", "order-paid", {"order": 42})
    out = client.wait_for_output("order-paid private-orders")
    assert 'order-paid private-orders {"order":42}' in out.replace(": ", ":"), out
