"""docs/examples/php.md: the standard-library PHP snippets run against a real server (php-cli,
`php -S` for the endpoints); the SDK and Laravel snippets (Composer packages that cannot be
installed here) are checked with `php -l`."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from docs_support import SNIPPETS, free_port, run, snippet
from examples_support import (PusherSocket, check_auth_endpoint, check_webhook_receiver, need, wait_for_event,
                              webhook_env, webhook_manifest)


@pytest.fixture(autouse=True)
def php():
    need("php")


@pytest.mark.parametrize("path", sorted(str(p.relative_to(SNIPPETS)) for p in SNIPPETS.glob("php/*.php")))
def test_every_php_snippet_parses(path):
    assert "No syntax errors" in run(["php", "-l", snippet(path)], dict(os.environ)).stdout


def test_trigger_reaches_a_subscriber_and_queries_the_channel(belfry):
    client = PusherSocket(belfry.port, "chat-key")
    try:
        client.subscribe("news")
        out = run(["php", snippet("php/trigger.php")], belfry.env()).stdout
        assert wait_for_event(client, "greeting", "news") == {"text": "hello from PHP"}
        assert "trigger: 200 {}" in out, out
        assert json.loads(out.split("news: 200 ", 1)[1]) == {"occupied": True, "subscription_count": 1}, out
    finally:
        client.close()


def test_a_wrong_secret_is_refused_with_pushers_words(belfry):
    done = subprocess.run(["php", snippet("php/trigger.php")], env=belfry.env(PUSHER_APP_SECRET="wrong"),
                          capture_output=True, text=True, timeout=30)
    assert "trigger: 401" in done.stdout and "Invalid signature" in done.stdout, done.stdout + done.stderr


def test_auth_endpoint_signs_private_and_presence_subscriptions(belfry, background):
    port = free_port()
    auth = background(["php", "-S", f"127.0.0.1:{port}", snippet("php/auth.php")], belfry.env(PORT=str(port)), "auth")
    auth.wait_for_port(port)
    check_auth_endpoint(belfry, port)
    assert "authorized presence-room" in auth.output()


def test_webhook_receiver_verifies_the_servers_signature_and_refuses_forgeries(belfry_with, background):
    port = free_port()
    server = belfry_with({"hooks.yaml": webhook_manifest(port)})
    receiver = background(["php", "-S", f"127.0.0.1:{port}", snippet("php/webhook.php")], webhook_env(server, port),
                          "webhook")
    receiver.wait_for_port(port)
    check_webhook_receiver(server, receiver, port)


def test_laravel_config_points_the_pusher_connection_at_belfry():
    config = snippet("php/laravel-broadcasting.php").read_text()
    for option in ("'host' => env('PUSHER_HOST'", "'port' => env('PUSHER_PORT'", "'scheme' => env('PUSHER_SCHEME'",
                   "'useTLS' =>"):
        assert option in config, option
