"""docs/examples/go.md: the Go snippets (standard library only, no module) built with `go build`
and run against a real server. GOCACHE and GOPATH point at a temporary directory."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from docs_support import free_port, run, snippet
from examples_support import (PusherSocket, check_auth_endpoint, check_webhook_receiver, need, wait_for_event,
                              webhook_env, webhook_manifest)

# Kept between runs (a cold standard library build takes a while on two cores).
GO_HOME = Path(tempfile.gettempdir()) / "belfry-docs-go"


def go_env() -> dict[str, str]:
    return {**os.environ, "GOCACHE": str(GO_HOME / "cache"), "GOPATH": str(GO_HOME / "path"),
            "GO111MODULE": "off", "GOFLAGS": "", "CGO_ENABLED": "0"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Each snippet built once, as `go run FILE.go` would."""
    need("go")
    out = tmp_path_factory.mktemp("go-bin")
    binaries = {}
    for name in ("trigger", "auth", "webhook"):
        binaries[name] = out / name
        run(["go", "build", "-o", binaries[name], snippet(f"go/{name}.go")], go_env(), timeout=600)
    return binaries


def test_snippets_are_gofmt_clean():
    need("gofmt")
    done = subprocess.run(["gofmt", "-l", snippet("go/trigger.go").parent], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr


def test_trigger_reaches_a_subscriber_and_queries_the_channel(belfry, built):
    client = PusherSocket(belfry.port, "chat-key")
    try:
        client.subscribe("news")
        out = run([built["trigger"]], belfry.env()).stdout
        assert wait_for_event(client, "greeting", "news") == {"text": "hello from Go"}
        assert "trigger: 200 {}" in out, out
        assert json.loads(out.split("news: 200 ", 1)[1]) == {"occupied": True, "subscription_count": 1}, out
    finally:
        client.close()


def test_a_wrong_secret_is_refused_with_pushers_words(belfry, built):
    done = subprocess.run([built["trigger"]], env=belfry.env(PUSHER_APP_SECRET="wrong"), capture_output=True,
                          text=True, timeout=30)
    assert "trigger: 401" in done.stdout and "Invalid signature" in done.stdout, done.stdout + done.stderr


def test_auth_endpoint_signs_private_and_presence_subscriptions(belfry, built, background):
    port = free_port()
    auth = background([built["auth"]], belfry.env(PORT=str(port)), "auth")
    auth.wait_for_port(port)
    check_auth_endpoint(belfry, port)
    assert "authorized presence-room" in auth.output()


def test_webhook_receiver_verifies_the_servers_signature_and_refuses_forgeries(belfry_with, built, background):
    port = free_port()
    server = belfry_with({"hooks.yaml": webhook_manifest(port)})
    receiver = background([built["webhook"]], webhook_env(server, port), "webhook")
    receiver.wait_for_port(port)
    check_webhook_receiver(server, receiver, port)
