"""The migration guides (docs/migrate/*.md) run: their converter, configs and SDK settings.

- The JavaScript (Echo, pusher-js) snippets pass `node --check`; the PHP ones `php -l`, and the
  Laravel configs are evaluated by PHP (with `env()` defined as Laravel's) to check what they resolve to.
- The Soketi array-driver config and the Reverb config convert (docs/snippets/migrate/python/to_manifest.py)
  to manifests that `belfry validate` accepts and `belfry serve` serves; the official pusher SDK,
  configured as the guides say (host/port/scheme), publishes to a WebSocket subscriber that gets it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pusher
import pytest
from websockets.sync.client import connect

from docs_support import BELFRY_BIN, EXAMPLE_CONFIG, SNIPPETS, run, snippet

MIGRATE = SNIPPETS / "migrate"
CONVERTER = MIGRATE / "python" / "to_manifest.py"
PHP = shutil.which("php")

# Laravel's env(): the variable, or the default when it is not set.
PHP_EVAL = r"""
function env($key, $default = null) { $v = getenv($key); return $v === false ? $default : $v; }
$config = require $argv[1];
foreach (array_slice($argv, 2) as $key) { $config = $config[$key]; }
echo json_encode($config);
"""


def php_config(path: Path, env: dict[str, str], *keys: str):
    """What a Laravel config file evaluates to under these environment variables."""
    assert PHP, "php-cli is not installed"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PUSHER_", "REVERB_"))}
    done = run([PHP, "-r", PHP_EVAL, "--", str(path), *keys], env={**clean, **env})
    return json.loads(done.stdout)


def dotenv(path: Path) -> dict[str, str]:
    """The plain KEY=value lines of a .env snippet (comments and ${…} references left out)."""
    values = {}
    for line in path.read_text().splitlines():
        match = re.match(r'^([A-Z_][A-Z0-9_]*)=("?)([^"]*)\2\s*$', line)
        if match and "${" not in match.group(3):
            values[match.group(1)] = match.group(3)
    return values


def convert(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return run([sys.executable, str(CONVERTER), *args], env={**os.environ, **(env or {})})


def validate(tmp_path: Path, manifests: dict[str, str], env: dict[str, str]) -> str:
    config = tmp_path / "validate"
    shutil.copytree(EXAMPLE_CONFIG, config)
    for name, text in manifests.items():
        (config / name).write_text(text)
    return run([str(BELFRY_BIN), "validate", str(config)], env={**os.environ, **env}).stdout


class Subscriber:
    """A raw Pusher-protocol WebSocket client: connect, subscribe, wait for one event."""

    def __init__(self, port: int, key: str, origin: str | None = None):
        headers = {"Origin": origin} if origin else None
        self.ws = connect(f"ws://127.0.0.1:{port}/app/{key}?protocol=7&client=docs&version=1",
                          additional_headers=headers, open_timeout=10).__enter__()
        established = self.next("pusher:connection_established")
        self.socket_id = json.loads(established["data"])["socket_id"]

    def next(self, event: str, timeout: float = 10) -> dict:
        while True:
            message = json.loads(self.ws.recv(timeout=timeout))
            assert message["event"] != "pusher:error", message
            if message["event"] == event:
                return message

    def subscribe(self, channel: str, auth: dict | None = None) -> None:
        self.ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": channel, **(auth or {})}}))
        self.next("pusher_internal:subscription_succeeded")

    def close(self) -> None:
        self.ws.close()


# --- snippets that cannot run here: syntax ---------------------------------------------------

@pytest.mark.parametrize("name", ["echo-pusher.mjs", "pusher-js.mjs", "echo-reverb.mjs", "server-node.mjs"])
def test_javascript_snippets_parse(name: str) -> None:
    run(["node", "--check", str(snippet(f"migrate/js/{name}"))], env=dict(os.environ))


@pytest.mark.parametrize("name", ["broadcasting.php", "broadcasting-reverb.php", "reverb.php"])
def test_php_snippets_lint(name: str) -> None:
    assert PHP, "php-cli is not installed"
    out = run([PHP, "-l", str(snippet(f"migrate/php/{name}"))], env=dict(os.environ)).stdout
    assert "No syntax errors" in out


def test_laravel_pusher_connection_resolves_to_belfry() -> None:
    """config/broadcasting.php + the guide's .env: the pusher driver talks https to the Belfry host."""
    env = dotenv(snippet("migrate/env/laravel-pusher.env"))
    assert env["BROADCAST_CONNECTION"] == "pusher"
    pusher_connection = php_config(snippet("migrate/php/broadcasting.php"), env, "connections", "pusher")
    assert pusher_connection["driver"] == "pusher"
    assert pusher_connection["options"] == {"host": "ws.example.com", "port": "443", "scheme": "https",
                                             "encrypted": True, "useTLS": True}
    assert (pusher_connection["app_id"], pusher_connection["key"]) == ("1001", "chat-key")


def test_laravel_pusher_connection_publishes_to_belfry(belfry) -> None:
    """The same config under `make run`'s values publishes to a subscriber of the chat app."""
    env = {"PUSHER_APP_ID": "1001", "PUSHER_APP_KEY": "chat-key", "PUSHER_APP_SECRET": "chat-secret",
           "PUSHER_HOST": "127.0.0.1", "PUSHER_PORT": str(belfry.port), "PUSHER_SCHEME": "http"}
    connection = php_config(snippet("migrate/php/broadcasting.php"), env, "connections", "pusher")
    options = connection["options"]
    assert options["useTLS"] is False
    # What Laravel's pusher driver does with these options, with the Python SDK.
    client = pusher.Pusher(app_id=connection["app_id"], key=connection["key"], secret=connection["secret"],
                           host=options["host"], port=int(options["port"]), ssl=options["scheme"] == "https")
    subscriber = Subscriber(belfry.port, "chat-key")
    try:
        subscriber.subscribe("orders")
        client.trigger("orders", "order-shipped", {"id": 7})
        assert json.loads(subscriber.next("order-shipped")["data"]) == {"id": 7}
    finally:
        subscriber.close()


# --- Soketi ---------------------------------------------------------------------------------

def test_soketi_config_converts_to_the_manifest_shown(tmp_path: Path) -> None:
    done = convert("soketi-config", str(snippet("migrate/soketi/soketi.json")))
    assert done.stdout == snippet("migrate/soketi/app-1042.yaml").read_text()
    assert 'export BELFRY_APP_APP_1042_SECRET="shop-secret"' in done.stderr
    assert "maxEventBatchSize has no Belfry field" in done.stderr
    out = validate(tmp_path, {"app-1042.yaml": done.stdout}, {"BELFRY_APP_APP_1042_SECRET": "shop-secret"})
    assert out.startswith("valid: 4 apps")  # the three of examples/config, and shop


def test_soketi_app_served_and_published_with_the_python_sdk(belfry_with, monkeypatch) -> None:
    """The converted Soketi app, served by Belfry; trigger.py (host/port/scheme) reaches a subscriber."""
    monkeypatch.setenv("BELFRY_APP_APP_1042_SECRET", "shop-secret")  # the export line the converter printed
    server = belfry_with({"app-1042.yaml": snippet("migrate/soketi/app-1042.yaml").read_text()})
    subscriber = Subscriber(server.port, "shop-key")
    try:
        subscriber.subscribe("orders")
        out = run([sys.executable, str(snippet("migrate/python/trigger.py"))], env=server.env(
            PUSHER_APP_ID="1042", PUSHER_APP_KEY="shop-key", PUSHER_APP_SECRET="shop-secret", CHANNEL="orders"))
        assert out.stdout.strip() == "{}"
        event = subscriber.next("order-shipped")
        assert event["channel"] == "orders"
        assert json.loads(event["data"]) == {"id": 42, "status": "shipped"}
    finally:
        subscriber.close()


def test_soketi_env_converts(tmp_path: Path) -> None:
    env = {"SOKETI_DEFAULT_APP_ID": "app-id", "SOKETI_DEFAULT_APP_KEY": "app-key",
           "SOKETI_DEFAULT_APP_SECRET": "app-secret", "SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES": "true",
           "SOKETI_DEFAULT_APP_MAX_CONNS": "-1", "SOKETI_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SEC": "5000",
           "SOKETI_DEFAULT_APP_WEBHOOKS": '[{"url":"https://example.com/hook","event_types":["member_added"]}]'}
    done = convert("soketi-env", env=env)
    text = done.stdout
    assert 'id: "app-id"' in text and 'key: "app-key"' in text
    assert "secret: { env: BELFRY_APP_APP_ID_SECRET }" in text
    assert "clientEvents: true" in text
    assert "maxConnections: null" in text  # -1: unlimited
    assert "clientEventsPerSecond: 1000" in text  # 5000 is above the schema's maximum
    assert "maxClientEventsPerSecond=5000 is above Belfry's maximum" in done.stderr
    assert "events: [member_added]" in text
    out = validate(tmp_path, {"app.yaml": text}, {"BELFRY_APP_APP_ID_SECRET": "app-secret"})
    assert out.startswith("valid: 4 apps")


# --- Reverb ---------------------------------------------------------------------------------

REVERB_ENV = {"REVERB_APP_ID": "123456", "REVERB_APP_KEY": "abcdefghijklmnopqrst",
              "REVERB_APP_SECRET": "tsrqponmlkjihgfedcba"}


def test_reverb_env_snippet_keeps_the_credentials() -> None:
    env = dotenv(snippet("migrate/env/laravel-reverb.env"))
    assert {k: env[k] for k in REVERB_ENV} == REVERB_ENV
    assert (env["REVERB_HOST"], env["REVERB_PORT"], env["REVERB_SCHEME"]) == ("ws.example.com", "443", "https")
    connection = php_config(snippet("migrate/php/broadcasting-reverb.php"), env, "connections", "reverb")
    assert connection["options"] == {"host": "ws.example.com", "port": "443", "scheme": "https", "useTLS": True}


def test_reverb_config_converts_serves_and_publishes(tmp_path: Path, belfry_with, monkeypatch) -> None:
    apps = php_config(snippet("migrate/php/reverb.php"), REVERB_ENV, "apps", "apps")
    (tmp_path / "reverb-apps.json").write_text(json.dumps(apps))
    done = convert("reverb-apps", str(tmp_path / "reverb-apps.json"))
    manifest = done.stdout
    assert 'allowedOrigins: ["shop.example.com", "*.shop.example.com", "localhost"]' in manifest
    assert "clientEvents: true" in manifest  # accept_client_events_from: members
    assert "maxMessageBytes: 10000" in manifest
    assert "--activity-timeout" in done.stderr
    assert 'export BELFRY_APP_APP_123456_SECRET="tsrqponmlkjihgfedcba"' in done.stderr
    # The page shows this output verbatim.
    page = (SNIPPETS.parent / "migrate" / "reverb.md").read_text()
    shown = re.search(r"it prints:\n\n```yaml\n(.*?)```", page, re.S)
    assert shown and shown.group(1) == manifest

    monkeypatch.setenv("BELFRY_APP_APP_123456_SECRET", REVERB_ENV["REVERB_APP_SECRET"])
    server = belfry_with({"reverb.yaml": manifest})
    # Laravel's reverb connection, with .env pointing at this server, as Laravel would publish.
    connection = php_config(snippet("migrate/php/broadcasting-reverb.php"), {
        **REVERB_ENV, "REVERB_HOST": "127.0.0.1", "REVERB_PORT": str(server.port), "REVERB_SCHEME": "http"},
        "connections", "reverb")
    options = connection["options"]
    subscriber = Subscriber(server.port, REVERB_ENV["REVERB_APP_KEY"], origin="http://localhost:5173")
    try:
        subscriber.subscribe("orders")
        run([sys.executable, str(snippet("migrate/python/trigger.py"))], env=server.env(
            PUSHER_APP_ID=connection["app_id"], PUSHER_APP_KEY=connection["key"],
            PUSHER_APP_SECRET=connection["secret"], PUSHER_HOST=options["host"], PUSHER_PORT=str(options["port"]),
            PUSHER_SCHEME=options["scheme"], CHANNEL="orders"))
        assert json.loads(subscriber.next("order-shipped")["data"])["status"] == "shipped"
    finally:
        subscriber.close()

    # allowed_origins carried over: another site's page is refused with 4009.
    with connect(f"ws://127.0.0.1:{server.port}/app/{REVERB_ENV['REVERB_APP_KEY']}?protocol=7",
                 additional_headers={"Origin": "https://evil.example.net"}, open_timeout=10) as ws:
        error = json.loads(ws.recv(timeout=10))
        assert error["event"] == "pusher:error" and error["data"]["code"] == 4009, error


# --- hosted Pusher: encrypted channels ------------------------------------------------------

def test_encrypted_channel_relays_ciphertext(belfry) -> None:
    """trigger_encrypted.py encrypts; a subscriber authorized by the SDK decrypts what Belfry relayed."""
    import nacl.secret

    master_key = base64.b64encode(bytes(range(32))).decode()
    client = pusher.Pusher(app_id="1001", key="chat-key", secret="chat-secret", host="127.0.0.1",
                           port=belfry.port, ssl=False, encryption_master_key_base64=master_key)
    subscriber = Subscriber(belfry.port, "chat-key")
    try:
        auth = client.authenticate("private-encrypted-orders", subscriber.socket_id)
        subscriber.subscribe("private-encrypted-orders", {"auth": auth["auth"]})
        run([sys.executable, str(snippet("migrate/python/trigger_encrypted.py"))],
            env=belfry.env(PUSHER_ENCRYPTION_MASTER_KEY_BASE64=master_key))
        payload = json.loads(subscriber.next("order-shipped")["data"])
        assert set(payload) == {"nonce", "ciphertext"}
        box = nacl.secret.SecretBox(base64.b64decode(auth["shared_secret"]))
        plain = box.decrypt(base64.b64decode(payload["ciphertext"]), base64.b64decode(payload["nonce"]))
        assert json.loads(plain) == {"id": 42, "status": "shipped"}
    finally:
        subscriber.close()
