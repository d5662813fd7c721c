"""The concept pages' claims, executed against a real `belfry serve`.

- gitops.md: the `belfry validate` and `belfry reconcile --dry-run` sessions it shows are run as
  shown (snippets/concepts/*.txt: `$ ` lines are commands, the lines after them their output) and
  their output must match; `--detailed-exitcode` says 2.
- zero-downtime.md + gitops.md (drift): applying a disabled app from another work tree closes its
  open connection with pusher:error 4003 and close 4003, and the server's own pass then reverts
  the change (`--drift correct`).
- credentials.md: rotate-secret.sh answers a new secret and previousSecretValidUntil; during the
  grace period both the old and the new secret sign HTTP API requests.
- webhooks.md: webhook_receiver.py verifies the signature of real deliveries; channel_vacated
  is held at least 3 s.
- limits.md: every default in the per-app table equals the schema's default.
"""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pusher
import requests
import websockets

from docs_support import BELFRY_BIN, DOCS, REPO_ROOT, free_port, snippet, wait_until

# The directory the shown sessions run in, and the content digest they show (a test server's
# users.yaml carries a fresh API token, so its digest differs from run to run).
SHOWN_CWD = "/src"
DIGEST = re.compile(r"@[0-9a-f]{12}\b")


def sessions(text: str) -> list[tuple[str, str]]:
    """(command, expected output) pairs of a console snippet."""
    pairs: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        else:
            pairs[-1][1].append(line)
    return [(command, "\n".join(lines).strip("\n")) for command, lines in pairs]


def run_shown(command: str, cwd: Path, server) -> subprocess.CompletedProcess:
    """Runs a command as the page shows it, pointed at the test server instead of the defaults."""
    command = command.replace("http://127.0.0.1:9601", f"http://127.0.0.1:{server.admin_port}")
    command = command.replace(".belfry/admin-token", str(server.root / "data" / "admin-token"))
    argv = shlex.split(command)
    assert argv[0] == "belfry"
    return subprocess.run([str(BELFRY_BIN), *argv[1:]], cwd=cwd, capture_output=True, text=True, timeout=60)


def normalized(output: str, cwd: Path) -> str:
    return DIGEST.sub("@DIGEST", output.replace(str(cwd), SHOWN_CWD)).strip("\n")


def pull_request_tree(server, workdir: Path) -> Path:
    """`config`: the server's manifests with chat disabled and a dashboard limit raised;
    `broken`: the same with a limit out of range."""
    config = workdir / "config"
    shutil.copytree(server.config, config)
    chat = config / "chat.yaml"
    chat.write_text(chat.read_text().replace("enabled: true", "enabled: false"))
    dashboards = config / "dashboards.yaml"
    dashboards.write_text(dashboards.read_text().replace("clientEventsPerSecond: 5", "clientEventsPerSecond: 20"))
    broken = workdir / "broken"
    shutil.copytree(config, broken)
    (broken / "dashboards.yaml").write_text(
        dashboards.read_text().replace("clientEventsPerSecond: 20", "clientEventsPerSecond: 5000"))
    return config


def test_the_pull_request_check_prints_what_gitops_md_shows(belfry_with, tmp_path):
    server = belfry_with()
    workdir = tmp_path / "pr"
    workdir.mkdir()
    pull_request_tree(server, workdir)
    for name in ["validate.txt", "reconcile-dry-run.txt", "reconcile-markdown.txt"]:
        for command, expected in sessions(snippet(f"concepts/{name}").read_text()):
            done = run_shown(command, workdir, server)
            shown = normalized(expected, workdir)
            assert normalized(done.stdout, workdir) == shown, f"{command}\n--- stderr\n{done.stderr}"
            if "--detailed-exitcode" in command:
                assert done.returncode == 2, "changes planned: --detailed-exitcode exits 2"
            elif "broken" in command:
                assert done.returncode == 1
            else:
                assert done.returncode == 0, done.stderr
    # A dry run changed nothing: chat still accepts connections.
    assert requests.get(f"http://127.0.0.1:{server.admin_port}/api/v1/apps/chat", timeout=5,
                        headers={"Authorization": f"Bearer {server.api_token}"}).json()["spec"]["enabled"] is True


async def open_socket(port: int):
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/app/chat-key?protocol=7")
    established = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert established["event"] == "pusher:connection_established"
    return ws


async def until_closed(ws) -> tuple[list[dict], int | None, str | None]:
    messages = []
    try:
        while True:
            messages.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
    except websockets.ConnectionClosed as closed:
        return messages, closed.rcvd.code if closed.rcvd else None, closed.rcvd.reason if closed.rcvd else None


def test_disabling_an_app_closes_its_connections_with_4003_and_drift_is_corrected(belfry_with, tmp_path):
    server = belfry_with()
    workdir = tmp_path / "pr"
    workdir.mkdir()
    pull_request_tree(server, workdir)
    admin = f"http://127.0.0.1:{server.admin_port}"
    token = {"Authorization": f"Bearer {server.api_token}"}

    async def apply_while_connected():
        ws = await open_socket(server.port)
        command = ("belfry reconcile --source config --server http://127.0.0.1:9601 "
                   "--token-file .belfry/admin-token")
        done = await asyncio.to_thread(run_shown, command, workdir, server)
        assert done.returncode == 0, done.stderr
        assert "! live connections closed with 4003 (Application disabled)" in done.stdout
        return await until_closed(ws)

    messages, code, reason = asyncio.run(apply_while_connected())
    assert {"event": "pusher:error", "data": {"code": 4003, "message": "Application disabled"}} in messages
    assert (code, reason) == (4003, "Application disabled")

    # The server's own source did not change: its next pass sees drift and reverts it.
    def reverted():
        status = requests.get(f"{admin}/api/v1/reconcile", headers=token, timeout=5).json()
        return status["history"] and status["history"][0]["result"] == "applied" and \
            requests.get(f"{admin}/api/v1/apps/chat", headers=token, timeout=5).json()["spec"]["enabled"]
    wait_until(reverted, timeout=20, message="the drift to be corrected")
    assert "drift: the server differs from the applied revision" in server.log_text()

    async def connects_again():
        ws = await open_socket(server.port)
        await ws.close()
    asyncio.run(connects_again())


def publish(secret: str, server, app_id: str = "1001", key: str = "chat-key") -> int:
    """A trigger signed with `secret`: 200, or 401 when the server refuses the signature."""
    client = pusher.Pusher(app_id=app_id, key=key, secret=secret, host="127.0.0.1", port=server.port, ssl=False)
    try:
        client.trigger("news", "greeting", {"text": "hello"})
        return 200
    except pusher.errors.PusherBadAuth:
        return 401


def test_rotate_secret_keeps_the_old_secret_for_the_grace_period(belfry_with):
    server = belfry_with()
    done = subprocess.run(["sh", str(snippet("concepts/rotate-secret.sh"))], env=server.env(), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["result"] == "applied"
    assert re.fullmatch(r"[0-9a-f]{32}", answer["secret"])
    until = time.mktime(time.strptime(answer["previousSecretValidUntil"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert 590 <= until - time.time() <= 610
    # The value secret was rewritten in the manifest.
    assert answer["secret"] in (server.config / "chat.yaml").read_text()
    assert publish(answer["secret"], server) == 200
    assert publish("chat-secret", server) == 200, "the old secret verifies during the grace period"
    assert publish("not-the-secret", server) == 401


FILE_SECRET_APP = """\
apiVersion: belfry.dev/v1
kind: App
metadata:
  name: shop
spec:
  id: "3001"
  key: shop-key
  secret: { file: shop-secret }
"""


def test_a_secret_changed_in_its_file_is_applied_with_drift_warn(belfry_with, tmp_path):
    """credentials.md: a new secret in a file is applied at the next pass, with `--drift warn` too."""
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "shop-secret").write_text("first-secret\n")
    server = belfry_with({"shop.yaml": FILE_SECRET_APP}, "--drift", "warn", "--secrets-dir", str(secrets))

    def publish_as(secret: str) -> int:
        return publish(secret, server, app_id="3001", key="shop-key")

    assert publish_as("first-secret") == 200
    (secrets / "shop-secret").write_text("second-secret\n")
    wait_until(lambda: publish_as("second-secret") == 200, timeout=20, message="the new secret to be applied")
    assert publish_as("first-secret") == 401
    admin = f"http://127.0.0.1:{server.admin_port}"
    history = requests.get(f"{admin}/api/v1/reconcile", headers={"Authorization": f"Bearer {server.api_token}"},
                           timeout=5).json()["history"]
    assert "drift" not in [entry["result"] for entry in history], history


WEBHOOK_APP = """\
apiVersion: belfry.dev/v1
kind: App
metadata:
  name: hooked
spec:
  id: "5001"
  key: hooked-key
  secret: { value: hooked-secret }
  webhooks:
    - url: http://127.0.0.1:%d/
      events: [channel_occupied, channel_vacated]
"""


def test_webhooks_are_signed_and_vacated_is_held_3_seconds(belfry_with, background):
    port = free_port()
    server = belfry_with({"hooked.yaml": WEBHOOK_APP % port})
    receiver = background(["python3", snippet("concepts/webhook_receiver.py")],
                          server.env(PORT=str(port), PUSHER_APP_KEY="hooked-key", PUSHER_APP_SECRET="hooked-secret"),
                          name="receiver")
    receiver.wait_for_port(port)

    async def occupy_and_leave() -> float:
        ws = await websockets.connect(f"ws://127.0.0.1:{server.port}/app/hooked-key?protocol=7")
        await asyncio.wait_for(ws.recv(), 10)
        await ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "room"}}))
        reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert reply["event"] == "pusher_internal:subscription_succeeded"
        await asyncio.to_thread(receiver.wait_for_output, '"name": "channel_occupied"')
        await ws.send(json.dumps({"event": "pusher:unsubscribe", "data": {"channel": "room"}}))
        left = time.time()
        await ws.close()
        return left

    left = asyncio.run(occupy_and_leave())
    output = receiver.wait_for_output('"name": "channel_vacated"', timeout=20)
    sent_ms = int(next(line for line in output.splitlines() if "channel_vacated" in line).split()[0])
    # Only verified requests are printed, so both events passed the signature check.
    assert '{"channel": "room", "name": "channel_occupied"}' in output
    assert sent_ms / 1000 - left >= 2.9, "channel_vacated is held 3 s"


def test_limits_md_quotes_the_schema_defaults():
    schema = json.loads((REPO_ROOT / "schemas" / "app.schema.json").read_text())
    fields = schema["$defs"]["limits"]["properties"]
    page = (DOCS / "concepts" / "limits.md").read_text()
    rows = {m.group(1): (m.group(2).strip(), m.group(3).strip())
            for m in re.finditer(r"^\| `(\w+)` \| ([^|]+) \| ([^|]+) \|", page, re.M)}
    for name, spec in fields.items():
        assert name in rows, f"limits.md has no row for {name}"
        default, bounds = rows[name]
        expected = "unlimited" if spec["default"] is None else str(spec["default"]).lower()
        assert default == expected, f"{name}: page says {default}, schema {spec['default']}"
        if "minimum" in spec:
            assert bounds == f"{spec['minimum']}–{spec['maximum']}", f"{name}: page range {bounds}"
    assert set(rows) >= set(fields)
