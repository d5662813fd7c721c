"""Live reconciliation of a directory source: edits apply without a restart, only the affected
app's sockets are touched, an invalid edit keeps the last good configuration, and a restart with
the source broken serves the last applied configuration from the database."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from conftest import BELFRY_BIN, REPO_ROOT, free_port

EXAMPLES = REPO_ROOT / "examples" / "config"


class Served:
    def __init__(self, tmp: Path, source: Path, *extra: str, interval: str = "1"):
        self.port = free_port()
        self.admin_port = free_port()
        self.data = tmp / "data"
        self.log = open(tmp / "server.log", "a")
        self.process = subprocess.Popen(
            [
                str(BELFRY_BIN), "serve", "--source", str(source), "--host", "127.0.0.1",
                "--port", str(self.port), "--data-dir", str(tmp / "data"), "--interval", interval,
                "--log-format", "json", "--shutdown-grace", "2", "--admin-port", str(self.admin_port), *extra,
            ],
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.wait_ready()

    def admin(self, method: str, path: str, **kw):
        """A request to the admin port with the admin token (every route but the probes needs it)."""
        import requests

        headers = {"Authorization": "Bearer " + (self.data / "admin-token").read_text().strip(), **kw.pop("headers", {})}
        return requests.request(method, f"http://127.0.0.1:{self.admin_port}{path}", headers=headers,
                                timeout=kw.pop("timeout", 5), **kw)

    def wait_ready(self):
        import requests

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "server exited"
            try:
                # Both ports: the admin port's service may bind a moment after the public one.
                if requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=1).status_code == 200 and \
                        requests.get(f"http://127.0.0.1:{self.admin_port}/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise AssertionError("server not ready")

    def connect(self, key: str, origin: str | None = None):
        ws = connect(
            f"ws://127.0.0.1:{self.port}/app/{key}?protocol=7", ping_interval=None, open_timeout=5, origin=origin
        )
        first = json.loads(ws.recv(timeout=5))
        return ws, first

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=15) == 0
        self.log.close()


def wait_for_close(ws, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            ws.recv(timeout=deadline - time.monotonic())
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else -1
        except TimeoutError:
            break
    raise AssertionError("connection was not closed")


def poll(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(EXAMPLES, target)
    return target


def test_edits_apply_live_and_touch_only_the_changed_app(tmp_path: Path, config: Path):
    served = Served(tmp_path, config)
    try:
        chat, established = served.connect("chat-key")
        assert established["event"] == "pusher:connection_established"
        dashboard, _ = served.connect("dashboard-key", origin="https://dashboard.example.com")

        # A new app goes live without a restart.
        (config / "extra.yaml").write_text(
            (config / "chat.yaml").read_text().replace("name: chat", "name: extra")
            .replace('id: "1001"', 'id: "1009"').replace("chat-key", "extra-key")
        )

        def extra_is_live():
            try:
                ws, first = served.connect("extra-key")
                ws.close()
                return first["event"] == "pusher:connection_established"
            except ConnectionClosed:
                return False

        poll(extra_is_live)

        # Disabling chat closes chat's sockets with 4003 and leaves dashboard's open.
        (config / "chat.yaml").write_text((config / "chat.yaml").read_text().replace("enabled: true", "enabled: false"))
        assert wait_for_close(chat) == 4003
        dashboard.send(json.dumps({"event": "pusher:ping", "data": {}}))
        assert json.loads(dashboard.recv(timeout=5))["event"] == "pusher:pong"

        # An invalid edit is refused and the last good configuration keeps serving.
        (config / "dashboards.yaml").write_text((config / "dashboards.yaml").read_text().replace('id: "1002"', "id: 1002"))
        poll(lambda: "must be a string" in (tmp_path / "server.log").read_text())
        dashboard.send(json.dumps({"event": "pusher:ping", "data": {}}))
        assert json.loads(dashboard.recv(timeout=5))["event"] == "pusher:pong"
        assert "reconcile pass did not apply" in (tmp_path / "server.log").read_text()
    finally:
        served.stop()

    # Restart with the source still invalid: the last applied configuration serves at once.
    restarted = Served(tmp_path, config)
    try:
        ws, first = restarted.connect("extra-key")
        assert first["event"] == "pusher:connection_established"
        ws.close()
        ws, first = restarted.connect("chat-key")
        assert first["event"] == "pusher:error" and first["data"]["code"] == 4003
        assert "serving the last applied configuration" in (tmp_path / "server.log").read_text()
    finally:
        restarted.stop()


def reconcile(served: Served, source: Path | str, *flags: str, token: str | None = None) -> subprocess.CompletedProcess:
    """`belfry reconcile` with the token from the data dir's file (--token-file), or `token` via BELFRY_TOKEN."""
    import os

    credentials = ["--token-file", str(served.data / "admin-token")] if token is None else []
    env = dict(os.environ, BELFRY_TOKEN=token) if token is not None else None
    return subprocess.run(
        [
            str(BELFRY_BIN), "reconcile", "--source", str(source), "--server",
            f"http://127.0.0.1:{served.admin_port}", *credentials, *flags,
        ],
        capture_output=True, text=True, timeout=60, env=env,
    )


def test_reconcile_cli_plans_applies_and_reports(tmp_path: Path, config: Path):
    import requests

    # No interval passes: one would correct the CLI's change (drift) before the test looks at it.
    # Only the start-up pass and the manual trigger below run.
    served = Served(tmp_path, config, interval="3600")
    try:
        chat, _ = served.connect("chat-key")
        changed = tmp_path / "changed"
        shutil.copytree(config, changed)
        (changed / "chat.yaml").write_text((changed / "chat.yaml").read_text().replace("enabled: true", "enabled: false"))
        (changed / "chat.yaml").write_text(
            (changed / "chat.yaml").read_text().replace("chat-secret", "rotated-secret")
        )

        plan = reconcile(served, changed, "--dry-run", "--detailed-exitcode")
        assert plan.returncode == 2, plan.stderr
        assert "~ App chat" in plan.stdout and "spec.enabled: true → false" in plan.stdout
        assert "Plan: 0 to add, 1 to change, 0 to delete." in plan.stdout
        assert "rotated-secret" not in plan.stdout and "chat-secret" not in plan.stdout
        as_json = json.loads(reconcile(served, changed, "--dry-run", "--output", "json").stdout)
        assert as_json["counts"]["change"] == 1
        assert reconcile(served, changed, "--dry-run", token="wrong").returncode == 1

        # The dry run changed nothing: chat's socket is still open.
        chat.send(json.dumps({"event": "pusher:ping", "data": {}}))
        assert json.loads(chat.recv(timeout=5))["event"] == "pusher:pong"

        applied = reconcile(served, changed)
        assert applied.returncode == 0, applied.stderr
        assert wait_for_close(chat) == 4003
        again = reconcile(served, changed, "--dry-run", "--detailed-exitcode")
        assert again.returncode == 0, again.stdout

        status = served.admin("GET", "/api/v1/reconcile").json()
        assert status["history"][0]["trigger"] == "startup"
        assert served.admin("POST", "/api/v1/reconcile").status_code == 202
        # The embedded reconciler still follows its own source: the manual trigger reverts the drift.
        poll(lambda: served.connect("chat-key")[1]["event"] == "pusher:connection_established")
        state = requests.get(
            f"http://127.0.0.1:{served.admin_port}/internal/v1/state",
            headers={"Authorization": "Bearer " + (served.data / "admin-token").read_text().strip()}, timeout=5,
        ).json()
        assert "chat-secret" not in json.dumps(state) and state["apps"][0]["secretDigest"].startswith("sha256:")
    finally:
        served.stop()


def test_drift_warn_reports_changes_made_outside_the_source(tmp_path: Path, config: Path):
    import requests

    served = Served(tmp_path, config, "--drift", "warn")
    try:
        changed = tmp_path / "changed"
        shutil.copytree(config, changed)
        (changed / "chat.yaml").write_text((changed / "chat.yaml").read_text().replace("enabled: true", "enabled: false"))
        assert reconcile(served, changed).returncode == 0
        assert served.admin("POST", "/api/v1/reconcile").status_code == 202
        drift = poll(lambda: next((p for p in served.admin("GET", "/api/v1/reconcile").json()["history"]
                                   if p["result"] == "drift"), None))
        assert "--drift warn leaves it" in drift["error"]
        _, first = served.connect("chat-key")
        assert first["event"] == "pusher:error" and first["data"]["code"] == 4003
    finally:
        served.stop()


def test_git_webhook_triggers_a_pass_and_checks_signatures(tmp_path: Path, config: Path):
    import hashlib
    import hmac

    import requests

    served = Served(tmp_path, config, "--webhook-secret", "hook-secret", interval="3600")
    try:
        url = f"http://127.0.0.1:{served.port}/hooks/git"
        body = b'{"ref":"refs/heads/main"}'
        good = "sha256=" + hmac.new(b"hook-secret", body, hashlib.sha256).hexdigest()
        assert requests.post(url, data=body, headers={"X-Hub-Signature-256": "sha256=" + "0" * 64}, timeout=5).status_code == 401
        assert requests.post(url, data=body, headers={"X-Gitlab-Token": "wrong"}, timeout=5).status_code == 401
        assert requests.post(url, data=body, timeout=5).status_code == 401

        (config / "chat.yaml").write_text((config / "chat.yaml").read_text().replace("enabled: true", "enabled: false"))
        response = requests.post(url, data=body, headers={"X-Hub-Signature-256": good}, timeout=5)
        assert response.status_code == 202 and response.json() == {"triggered": True}
        poll(lambda: served.connect("chat-key")[1].get("data", {}) == {"code": 4003, "message": "Application disabled"})

        (config / "chat.yaml").write_text((config / "chat.yaml").read_text().replace("enabled: false", "enabled: true"))
        assert requests.post(url, data=body, headers={"X-Gitlab-Token": "hook-secret"}, timeout=5).status_code == 202
        poll(lambda: served.connect("chat-key")[1]["event"] == "pusher:connection_established")
    finally:
        served.stop()


def test_git_webhook_is_off_without_a_secret(tmp_path: Path, config: Path):
    import requests

    served = Served(tmp_path, config)
    try:
        assert requests.post(f"http://127.0.0.1:{served.port}/hooks/git", data=b"{}", timeout=5).status_code == 404
    finally:
        served.stop()


def test_generated_secret_is_created_once_kept_and_never_logged(tmp_path: Path, config: Path):
    import pusher
    import requests

    path = config / "dashboards.yaml"
    path.write_text(path.read_text().replace("  secret: { value: dashboard-secret }\n", ""))

    def secret_of(served: Served) -> str:
        token = (served.data / "admin-token").read_text().strip()
        response = requests.get(
            f"http://127.0.0.1:{served.admin_port}/internal/v1/apps/dashboard/secret",
            headers={"Authorization": f"Bearer {token}"}, timeout=5,
        )
        assert response.status_code == 200
        return response.json()["secret"]

    served = Served(tmp_path, config)
    try:
        secret = secret_of(served)
        assert len(secret) == 32
        client = pusher.Pusher(app_id="1002", key="dashboard-key", secret=secret, host="127.0.0.1",
                               port=served.port, ssl=False)
        assert client.trigger("news", "hello", {"a": 1}) == {}
        wrong = pusher.Pusher(app_id="1002", key="dashboard-key", secret="dashboard-secret", host="127.0.0.1",
                              port=served.port, ssl=False)
        with pytest.raises(Exception):
            wrong.trigger("news", "hello", {"a": 1})
        assert requests.get(f"http://127.0.0.1:{served.admin_port}/internal/v1/apps/dashboard/secret", timeout=5).status_code == 401
    finally:
        served.stop()
    restarted = Served(tmp_path, config)
    try:
        assert secret_of(restarted) == secret
    finally:
        restarted.stop()
    assert secret not in (tmp_path / "server.log").read_text()


def test_key_and_secret_rotation_keep_live_sockets(tmp_path: Path, config: Path):
    import pusher

    served = Served(tmp_path, config)
    try:
        chat, established = served.connect("chat-key")
        socket_id = json.loads(established["data"])["socket_id"]
        path = config / "chat.yaml"
        path.write_text(path.read_text().replace("chat-secret", "rotated-secret").replace("chat-key", "rotated-key"))
        # The new key is live for new connections and the old one is refused...
        poll(lambda: served.connect("rotated-key")[1]["event"] == "pusher:connection_established")
        _, refused = served.connect("chat-key")
        assert refused["event"] == "pusher:error" and refused["data"]["code"] == 4001
        # ...while the socket opened with the old key stays, and subscribes with the new secret.
        import hashlib
        import hmac

        signature = hmac.new(b"rotated-secret", f"{socket_id}:private-room".encode(), hashlib.sha256).hexdigest()
        chat.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "private-room", "auth": f"rotated-key:{signature}"}}))
        assert json.loads(chat.recv(timeout=5))["event"] == "pusher_internal:subscription_succeeded"
        sdk = pusher.Pusher(app_id="1001", key="rotated-key", secret="rotated-secret", host="127.0.0.1",
                            port=served.port, ssl=False)
        sdk.trigger("private-room", "after-rotation", {"ok": True})
        message = json.loads(chat.recv(timeout=5))
        assert message["event"] == "after-rotation" and message["channel"] == "private-room"
    finally:
        served.stop()


def test_reconcile_dry_run_on_an_invalid_source_exits_1(tmp_path: Path, config: Path):
    served = Served(tmp_path, config)
    try:
        broken = tmp_path / "broken"
        shutil.copytree(config, broken)
        (broken / "chat.yaml").write_text((broken / "chat.yaml").read_text().replace('id: "1001"', "id: 1001"))
        result = reconcile(served, broken, "--dry-run", "--detailed-exitcode")
        assert result.returncode == 1
        assert "chat.yaml:8:7: error: /spec/id: must be a string, got a number (quote it)" in result.stdout
    finally:
        served.stop()


@pytest.mark.parametrize("drift", ["correct", "warn"])
def test_a_fixed_directory_edit_is_applied_at_the_next_interval_and_is_not_drift(tmp_path: Path, config: Path,
                                                                                  drift: str):
    served = Served(tmp_path, config, "--drift", drift, interval="1")
    try:
        chat = config / "chat.yaml"
        good = chat.read_text()
        chat.write_text(good.replace('id: "1001"', "id: 1001"))  # invalid: a number
        poll(lambda: served.admin("GET", "/api/v1/reconcile").json()["lastResult"] == "invalid")
        # Fixed, and changed: picked up by the interval passes alone, no manual trigger.
        chat.write_text(good.replace("enabled: true", "enabled: false"))
        applied = poll(lambda: (s := served.admin("GET", "/api/v1/reconcile").json())["lastResult"] == "applied" and s)
        assert "@" in applied["lastAppliedRevision"]
        _, first = served.connect("chat-key")
        assert first["event"] == "pusher:error" and first["data"]["code"] == 4003
        log = (tmp_path / "server.log").read_text()
        assert "drift" not in log, "a change of the source is not drift"
    finally:
        served.stop()


def test_reconcile_plans_a_password_hash_change_masked_by_digest(tmp_path: Path, config: Path):
    served = Served(tmp_path, config)
    try:
        old_hash = re.search(r'passwordHash: "([^"]+)"', (config / "users.yaml").read_text()).group(1)
        new_hash = "$2b$12$abcdefghijklmnopqrstuuYRZYWsQ1dD2CWsB3VXYI7fVDBNpyD9u"
        # /internal/v1/state reports a digest of each password hash, never the hash.
        state = served.admin("GET", "/internal/v1/state").json()
        assert old_hash not in json.dumps(state)
        assert state["users"][0]["passwordHashDigest"].startswith("sha256:")
        assert reconcile(served, config, "--dry-run", "--detailed-exitcode").returncode == 0

        changed = tmp_path / "changed"
        shutil.copytree(config, changed)
        (changed / "users.yaml").write_text((changed / "users.yaml").read_text().replace(old_hash, new_hash))
        plan = reconcile(served, changed, "--dry-run", "--detailed-exitcode")
        assert plan.returncode == 2, plan.stdout + plan.stderr
        assert "~ User alice\n    ~ spec.passwordHash: (changed)\n" in plan.stdout
        assert "Plan: 0 to add, 1 to change, 0 to delete." in plan.stdout
        for output in ("text", "json", "markdown"):
            rendered = reconcile(served, changed, "--dry-run", "--output", output).stdout
            assert old_hash not in rendered and new_hash not in rendered
    finally:
        served.stop()


def test_markdown_plan_renders_its_source_label_as_written(tmp_path: Path, config: Path):
    """The pull-request comment, rendered by cmark-gfm (GitHub's own Markdown): the heading reads
    `Belfry plan for dir:/…` (no stray backslashes), and text from the source adds no markup."""
    import cmarkgfm

    served = Served(tmp_path, config)
    try:
        proposed = tmp_path / "pr" / "proposed"
        shutil.copytree(config, proposed)
        (proposed / "chat.yaml").write_text((proposed / "chat.yaml").read_text().replace("enabled: true",
                                                                                       "enabled: false"))
        markdown = reconcile(served, proposed, "--dry-run", "--output", "markdown").stdout
        # A directory's revision: its path and the first 12 hex digits of its files' digest.
        label = re.search(rf"^### Belfry plan for ({re.escape(str(proposed))}@[0-9a-f]{{12}})\n", markdown)
        assert label, markdown
        html = cmarkgfm.github_flavored_markdown_to_html(markdown)
        assert f"<h3>Belfry plan for {label.group(1)}</h3>" in html, html
        assert f"Source: {label.group(1)}</p>" in html, html
        assert "\\" not in html.split("<pre>")[0], html
    finally:
        served.stop()
