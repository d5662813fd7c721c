"""The management API (`/api/v1/apps…`, `/api/v1/users…`, issue 16) against a real server whose
source is a directory: every route refused without credentials; apps created, patched, rotated
and deleted with a User's API token, checked in the manifest files and with real clients (the
official `pusher` SDK signs HTTP API calls, WebSocket clients connect with the key); the 422,
412 and dry-run paths write nothing; Users created, edited and deleted, never themselves nor the
last one. The OpenAPI document is served and the server is checked against it by schemathesis
(test_openapi.py)."""

from __future__ import annotations

import calendar
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

import pusher
import pusher.errors
import pytest
import requests
from ruamel.yaml import YAML

from conftest import (APPS, BELFRY_BIN, USER_EMAIL, USERS_MANIFEST, App, BelfryServer, WsClient, _ALL_SERVERS,
                      free_port, wait_until)

TOKEN = re.compile(r"^\s*(bfy_[A-Za-z0-9_-]{43})$", re.M)
DIGEST = re.compile(r'^\s*sha256: "([0-9a-f]{64})"$', re.M)
BOB_HASH = "$2b$04$QKVkcsFtFD1khBjQlmQ8RePfSFx06YUdsDP/dDlFqgEJ3G08xmz7y"  # alice-password, cost 4
ENV_SECRET = "BELFRY_APP_MAPI_TEST"


def new_token(name: str, user: str) -> tuple[str, str]:
    """`belfry token new`: the token and its digest."""
    result = subprocess.run([str(BELFRY_BIN), "token", "new", "--name", name, "--user", user],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    token, digest = TOKEN.search(result.stdout), DIGEST.search(result.stdout)
    assert token and digest, result.stdout
    assert hashlib.sha256(token.group(1).encode()).hexdigest() == digest.group(1)
    return token.group(1), digest.group(1)


class Managed:
    """One server for the module, its manifests in a directory, alice holding an API token."""

    def __init__(self, root: Path):
        self.token, digest = new_token("ci", "alice")
        self.srv = BelfryServer("mapi", root, session=False)
        users = self.srv.config_dir / "users" / "alice.yaml"
        assert users.read_text() == USERS_MANIFEST
        users.write_text(USERS_MANIFEST + f'  apiTokens:\n    - name: ci\n      sha256: "{digest}"\n')
        os.environ[ENV_SECRET] = "env-secret-value"  # the server inherits it (an { env } secret)
        self.srv.start()
        self.admin_token = (self.srv.data_dir / "admin-token").read_text().strip()
        self.http = requests.Session()
        self.http.trust_env = False
        self.clients: list[WsClient] = []

    @property
    def config(self) -> Path:
        return self.srv.config_dir

    def call(self, method: str, path: str, token: str | None = "alice", **kw: Any) -> requests.Response:
        """A request to the admin port as alice (default), "admin", None (no credentials) or a raw token."""
        bearer = {"alice": self.token, "admin": self.admin_token}.get(token or "", token)
        headers = dict(kw.pop("headers", {}))
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        return self.http.request(method, f"http://127.0.0.1:{self.srv.admin_port}{path}", headers=headers,
                                 allow_redirects=False, timeout=kw.pop("timeout", 40), **kw)

    def files(self) -> dict[str, bytes]:
        """Every file under the manifests directory, as bytes (what a write could change)."""
        return {str(p.relative_to(self.config)): p.read_bytes() for p in sorted(self.config.rglob("*"))
                if p.is_file()}

    def ws(self, key: str, handshake: bool = True) -> WsClient:
        client = WsClient(self.srv.ws_url(key), None)
        self.clients.append(client)
        if handshake:
            client.handshake()
        return client

    def sdk(self, app_id: str, key: str, secret: str) -> pusher.Pusher:
        return pusher.Pusher(app_id=app_id, key=key, secret=secret, host="127.0.0.1", port=self.srv.port,
                             ssl=False, timeout=10)

    def signs(self, app_id: str, key: str, secret: str) -> bool:
        """Whether the HTTP API accepts a call signed with this secret (a 401 is False)."""
        try:
            self.sdk(app_id, key, secret).channels_info()
            return True
        except pusher.errors.PusherBadAuth:
            return False

    def create_app(self, name: str, spec: dict[str, Any] | None = None, token: str = "alice") -> dict[str, Any]:
        body = {"apiVersion": "belfry.dev/v1", "kind": "App", "metadata": {"name": name},
                "spec": spec if spec is not None else {}}
        answer = self.call("POST", "/api/v1/apps", token, json=body)
        assert answer.status_code == 201, answer.text
        result = answer.json()
        assert result["pass"]["result"] == "applied", result
        return result


@pytest.fixture(scope="module")
def m() -> Iterable[Managed]:
    with tempfile.TemporaryDirectory(prefix="belfry-mapi-") as d:
        managed = Managed(Path(d))
        try:
            yield managed
        finally:
            for client in managed.clients:
                client.close()
            code = managed.srv.stop()
            _ALL_SERVERS.remove(managed.srv)
            os.environ.pop(ENV_SECRET, None)
            assert code == 0, managed.srv.log_tail()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def load_yaml(path: Path) -> dict[str, Any]:
    return YAML(typ="safe").load(path.read_text())


def changed(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """A plan's changes, without the objects it lists as unchanged."""
    return [c for c in plan["changes"] if c["action"] != "unchanged"]


def problem(answer: requests.Response, status: int) -> dict[str, Any]:
    """An RFC 7807 answer with this status."""
    assert answer.status_code == status, (answer.status_code, answer.text)
    assert answer.headers["Content-Type"].startswith("application/problem+json"), answer.headers
    body = answer.json()
    assert body["status"] == status and body["title"] and body["detail"], body
    return body


# --------------------------------------------------------------------------------------
# Access
# --------------------------------------------------------------------------------------

ROUTES = [
    ("GET", "/api/v1/apps"), ("POST", "/api/v1/apps"), ("GET", "/api/v1/apps/main"),
    ("PATCH", "/api/v1/apps/main"), ("DELETE", "/api/v1/apps/main"), ("POST", "/api/v1/apps/main/rotate-secret"),
    ("GET", "/api/v1/users"), ("POST", "/api/v1/users"), ("GET", "/api/v1/users/alice"),
    ("PATCH", "/api/v1/users/alice"), ("DELETE", "/api/v1/users/alice"), ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/status"), ("GET", "/api/v1/stats"), ("GET", "/api/v1/reconcile"), ("POST", "/api/v1/reconcile"),
]


def test_every_management_route_is_refused_without_credentials_or_with_a_wrong_token(m: Managed):
    before = m.files()
    for method, path in ROUTES:
        for token in [None, "bfy_" + "A" * 43, m.token + "x", m.admin_token[:-1], ""]:
            answer = m.call(method, path, token, json={"spec": {"enabled": False}})
            assert answer.status_code == 401, (method, path, token, answer.status_code, answer.text)
            assert "error" in answer.json(), (method, path)
        basic = m.call(method, path, None, headers={"Authorization": "Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ="})
        assert basic.status_code == 401, (method, path, basic.status_code)
    assert m.files() == before
    assert m.call("GET", "/api/v1/apps/main").json()["spec"]["enabled"] is True
    # The same routes open with alice's token and with the admin token.
    for token in ["alice", "admin"]:
        assert m.call("GET", "/api/v1/apps", token).status_code == 200
        assert m.call("GET", "/api/v1/users/alice", token).status_code == 200


# --------------------------------------------------------------------------------------
# Apps
# --------------------------------------------------------------------------------------


def test_an_app_created_with_a_users_token_is_written_and_serves_its_generated_credentials(m: Managed):
    name = unique("ci")
    mark = m.srv.log_size()
    result = m.create_app(name, {"clientEvents": True})
    assert result["dryRun"] is False and result["commit"] is None  # a directory source: no commit
    assert result["files"] == [{"path": f"apps/{name}.yaml", "action": "create"}], result
    assert [(c["action"], c["kind"], c["name"]) for c in changed(result["plan"])] == [("create", "App", name)]
    spec = result["object"]["spec"]
    app_id, key, secret = spec["id"], spec["key"], result["generatedSecret"]
    assert re.fullmatch(r"[1-9][0-9]{6}", app_id) and re.fullmatch(r"[0-9a-f]{20}", key), spec
    assert re.fullmatch(r"[0-9a-f]{32,}", secret), secret
    assert "secret" not in spec

    # The file holds the generated id and key and no secret; the secret is kept by the server.
    written = load_yaml(m.config / "apps" / f"{name}.yaml")
    assert written["kind"] == "App" and written["metadata"]["name"] == name
    assert written["spec"]["id"] == app_id and written["spec"]["key"] == key
    assert written["spec"]["clientEvents"] is True and "secret" not in written["spec"]
    assert secret not in (m.config / "apps" / f"{name}.yaml").read_text()
    served = m.call("GET", f"/internal/v1/apps/{name}/secret", "admin")
    assert served.status_code == 200 and served.json()["secret"] == secret
    assert m.call("GET", f"/internal/v1/apps/{name}/secret").status_code == 401  # not with an API token

    # GET shows it applied, without the secret; a second create of the name conflicts.
    got = m.call("GET", f"/api/v1/apps/{name}")
    assert got.status_code == 200 and got.headers["ETag"].startswith('"'), got.text
    assert got.json()["status"]["applied"] is True and got.json()["status"]["id"] == app_id
    assert secret not in got.text
    assert name in [a["metadata"]["name"] for a in m.call("GET", "/api/v1/apps").json()["apps"]]
    problem(m.call("POST", "/api/v1/apps", json={"apiVersion": "belfry.dev/v1", "kind": "App",
                                                   "metadata": {"name": name}, "spec": {}}), 409)

    # Real clients: a WebSocket connection with the key gets an event published with the secret.
    client = m.ws(key)
    channel = "orders"
    client.subscribe(channel)
    m.sdk(app_id, key, secret).trigger(channel, "created", {"n": 1})
    event = client.wait_for("created", channel)
    assert json.loads(event["data"]) == {"n": 1}
    assert not m.signs(app_id, key, "not-" + secret)

    # The write is attributed to the token's User in the log, the token never written there.
    log = m.srv.log_tail(mark, limit=10**7)
    assert "user alice (token ci)" in log and m.token not in log and secret not in log


def test_patch_disables_and_reenables_an_app(m: Managed):
    name = unique("patch")
    key = m.create_app(name)["object"]["spec"]["key"]
    before = m.call("GET", f"/api/v1/apps/{name}").headers["ETag"]
    open_client = m.ws(key)

    answer = m.call("PATCH", f"/api/v1/apps/{name}", json={"spec": {"enabled": False}})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["pass"]["result"] == "applied" and result["object"]["spec"]["enabled"] is False
    assert result["files"] == [{"path": f"apps/{name}.yaml", "action": "update"}]
    assert answer.headers["ETag"] != before
    assert answer.headers["ETag"] == m.call("GET", f"/api/v1/apps/{name}").headers["ETag"]
    assert load_yaml(m.config / "apps" / f"{name}.yaml")["spec"]["enabled"] is False
    assert open_client.wait_closed() == 4003
    refused = m.ws(key, handshake=False)
    assert refused.wait_closed() == 4003
    assert refused.pending and refused.pending[0]["event"] == "pusher:error"
    assert refused.pending[0]["data"]["code"] == 4003

    answer = m.call("PATCH", f"/api/v1/apps/{name}", json={"spec": {"enabled": True}})
    assert answer.status_code == 200 and answer.json()["pass"]["result"] == "applied", answer.text
    assert load_yaml(m.config / "apps" / f"{name}.yaml")["spec"]["enabled"] is True
    m.ws(key).ping_pong()

    # null in a merge patch removes the field.
    answer = m.call("PATCH", f"/api/v1/apps/{name}", json={"spec": {"enabled": None}})
    assert answer.status_code == 200, answer.text
    assert "enabled" not in load_yaml(m.config / "apps" / f"{name}.yaml")["spec"]


def test_an_invalid_patch_is_422_with_located_errors_and_writes_nothing(m: Managed):
    name = unique("bad")
    m.create_app(name)
    path = m.config / "apps" / f"{name}.yaml"
    before = m.files()

    schema = problem(m.call("PATCH", f"/api/v1/apps/{name}", json={"spec": {"limits": {"maxConnections": 0}}}), 422)
    assert any(re.match(rf"apps/{name}\.yaml:\d+:\d+: .*/spec/limits/maxConnections", e) for e in schema["errors"]), \
        schema
    # A whole-set rule: keys are unique among Apps (located at both objects).
    duplicate = problem(m.call("PATCH", f"/api/v1/apps/{name}", json={"spec": {"key": APPS["main"].key}}), 422)
    assert any(re.match(r"main\.yaml:\d+:\d+: error: /spec/key: duplicate", e) and
               re.search(rf"apps/{name}\.yaml:\d+:\d+", e) for e in duplicate["errors"]), duplicate
    # kind and name cannot change; a body that is not JSON is a 400.
    problem(m.call("PATCH", f"/api/v1/apps/{name}", json={"metadata": {"name": "other"}}), 400)
    problem(m.call("PATCH", f"/api/v1/apps/{name}", data=b"{not json", headers={"Content-Type": "application/json"}),
            400)
    problem(m.call("PATCH", "/api/v1/apps/no-such-app", json={"spec": {"enabled": False}}), 404)
    assert m.files() == before
    assert load_yaml(path)["spec"].get("limits") is None


def test_dry_runs_answer_a_plan_and_change_no_file(m: Managed):
    name = unique("dry")
    created = m.create_app(name)
    key = created["object"]["spec"]["key"]
    client = m.ws(key)
    before = m.files()
    other = unique("never")

    create = m.call("POST", "/api/v1/apps?dryRun=true",
                    json={"apiVersion": "belfry.dev/v1", "kind": "App", "metadata": {"name": other}, "spec": {}})
    assert create.status_code == 200, create.text
    plan = create.json()
    assert plan["dryRun"] is True and "pass" not in plan and "generatedSecret" not in plan
    assert plan["files"] == [{"path": f"apps/{other}.yaml", "action": "create"}]
    assert [c["action"] for c in changed(plan["plan"]) if c["name"] == other] == ["create"]

    patch = m.call("PATCH", f"/api/v1/apps/{name}?dryRun=true", json={"spec": {"clientEvents": True}})
    assert patch.status_code == 200 and patch.json()["dryRun"] is True, patch.text
    fields = [f["path"] for c in changed(patch.json()["plan"]) if c["name"] == name for f in c["fields"]]
    assert "spec.clientEvents" in fields, patch.json()["plan"]

    delete = m.call("DELETE", f"/api/v1/apps/{name}?dryRun=true")
    assert delete.status_code == 200 and delete.json()["dryRun"] is True, delete.text
    assert delete.json()["files"] == [{"path": f"apps/{name}.yaml", "action": "delete"}]
    assert [c["action"] for c in changed(delete.json()["plan"]) if c["name"] == name] == ["delete"]

    rotate = m.call("POST", f"/api/v1/apps/{name}/rotate-secret?dryRun=true", json={"gracePeriodSeconds": 5})
    assert rotate.status_code == 200 and rotate.json()["dryRun"] is True and "secret" not in rotate.json(), rotate.text

    users = m.call("POST", "/api/v1/users?dryRun=1", json={
        "apiVersion": "belfry.dev/v1", "kind": "User", "metadata": {"name": "dry-user"},
        "spec": {"email": "dry@example.com", "passwordHash": BOB_HASH}})
    assert users.status_code == 200 and users.json()["dryRun"] is True, users.text

    assert m.files() == before
    assert m.call("GET", f"/api/v1/apps/{other}").status_code == 404
    assert m.call("GET", "/api/v1/users/dry-user").status_code == 404
    assert m.call("GET", f"/api/v1/apps/{name}").json()["spec"].get("clientEvents") is None
    served = m.call("GET", f"/internal/v1/apps/{name}/secret", "admin").json()["secret"]
    assert served == created["generatedSecret"]
    client.ping_pong()  # still connected: the dry-run delete closed nothing


def test_the_plan_of_a_write_names_only_what_it_changes(m: Managed):
    m.create_app(unique("gen"))  # an App with a generated secret, applied
    name = unique("only")
    dry = m.call("POST", "/api/v1/apps?dryRun=true",
                 json={"apiVersion": "belfry.dev/v1", "kind": "App", "metadata": {"name": name}, "spec": {}})
    assert dry.status_code == 200, dry.text
    assert [(c["action"], c["name"]) for c in changed(dry.json()["plan"])] == [("create", name)], \
        [(c["action"], c["name"], c["fields"]) for c in changed(dry.json()["plan"])]
    assert dry.json()["plan"]["summary"].startswith("Plan: 1 to add, 0 to change, 0 to delete")
    # The source it names is the served revision plus this change, by the requesting User.
    summary, source = dry.json()["plan"]["summary"], dry.json()["plan"]["source"]
    assert summary.endswith(f'+change "create App {name}" by alice'), summary
    assert source["revision"].endswith("+change") and source["author"] == "alice", source


def test_a_stale_if_match_is_412_and_writes_nothing(m: Managed):
    name = unique("etag")
    m.create_app(name)
    etag = m.call("GET", f"/api/v1/apps/{name}").headers["ETag"]
    fresh = m.call("PATCH", f"/api/v1/apps/{name}", json={"spec": {"clientEvents": True}},
                   headers={"If-Match": etag})
    assert fresh.status_code == 200, fresh.text
    newer = fresh.headers["ETag"]
    assert newer != etag
    before = m.files()
    for method, path, body in [("PATCH", f"/api/v1/apps/{name}", {"spec": {"enabled": False}}),
                               ("DELETE", f"/api/v1/apps/{name}", None),
                               ("POST", f"/api/v1/apps/{name}/rotate-secret", {"gracePeriodSeconds": 0})]:
        stale = problem(m.call(method, path, json=body, headers={"If-Match": etag}), 412)
        assert newer in stale["detail"], stale
    assert m.files() == before
    assert m.call("GET", f"/api/v1/apps/{name}").json()["spec"]["clientEvents"] is True
    # The current tag (alone or in a list) and * are accepted.
    both = m.call("PATCH", f"/api/v1/apps/{name}", json={"spec": {"clientEvents": False}},
                  headers={"If-Match": f'{etag}, {newer}'})
    assert both.status_code == 200, both.text
    star = m.call("PATCH", f"/api/v1/apps/{name}", json={"spec": {"clientEvents": True}}, headers={"If-Match": "*"})
    assert star.status_code == 200, star.text


def test_rotating_a_value_secret_keeps_the_old_one_for_the_grace_period_and_the_socket_open(m: Managed):
    name = unique("rotv")
    old = "old-" + uuid.uuid4().hex
    spec = m.create_app(name, {"secret": {"value": old}})["object"]["spec"]
    assert spec["secret"] == {"value": "********"}
    app_id, key = spec["id"], spec["key"]
    client = m.ws(key)
    client.subscribe("news")
    assert m.signs(app_id, key, old)

    grace = 6
    answer = m.call("POST", f"/api/v1/apps/{name}/rotate-secret", json={"gracePeriodSeconds": grace})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    new = result["secret"]
    assert new != old and re.fullmatch(r"[0-9a-f]{32}", new) and result["pass"]["result"] == "applied", result
    until = result["previousSecretValidUntil"]
    # The grace ends at a wall-clock instant (the server keeps it as one, so that it survives a
    # restart and holds across nodes): the checks below read the wall clock too, which this VM
    # sometimes steps forward by many seconds, while a monotonic clock would not see the step.
    until_s = calendar.timegm(time.strptime(until, "%Y-%m-%dT%H:%M:%SZ"))
    assert abs(until_s - (time.time() + grace)) < 3, until
    written = load_yaml(m.config / "apps" / f"{name}.yaml")["spec"]["secret"]
    assert written == {"value": new}
    got = m.call("GET", f"/api/v1/apps/{name}")
    assert new not in got.text and old not in got.text

    # During the grace both sign, HTTP API requests and private/presence channel auth; then only
    # the new one.
    assert m.signs(app_id, key, new)
    assert m.signs(app_id, key, old)

    def channel_auth(secret: str) -> WsClient:
        signer = WsClient(m.srv.ws_url(key), App(name, app_id, key, secret))
        m.clients.append(signer)
        signer.handshake()
        return signer

    for secret in (old, new):
        channel_auth(secret).subscribe_private("private-rotation")
        channel_auth(secret).subscribe_presence("presence-rotation", f"user-{secret[:6]}")
    assert time.time() < until_s, "the grace checks ran too late to mean anything"
    # The status page shows the pending expiry.
    page = m.call("GET", f"/apps/{name}", "admin")
    assert page.status_code == 200 and "still verifies until" in page.text, page.text[:500]
    wait_until(lambda: not m.signs(app_id, key, old), timeout=grace + 10, interval=0.25,
               message="the old secret is refused after the grace period")
    # `until` is in whole seconds, cut from the server's instant: refused from `until` on at the latest.
    assert time.time() >= until_s - 0.5, "the old secret was refused before the grace ended"
    assert m.signs(app_id, key, new)
    channel_auth(old).subscribe_error("private-rotation")
    channel_auth(new).subscribe_private("private-rotation")

    # The socket opened before the rotation never closed and gets events signed with the new secret.
    m.sdk(app_id, key, new).trigger("news", "rotated", {"ok": True})
    assert json.loads(client.wait_for("rotated", "news")["data"]) == {"ok": True}
    client.ping_pong()
    assert not client.closed


def test_rotating_a_generated_secret_replaces_it_and_env_secrets_are_refused(m: Managed):
    name = unique("rotg")
    created = m.create_app(name)
    app_id, key, first = created["object"]["spec"]["id"], created["object"]["spec"]["key"], created["generatedSecret"]
    client = m.ws(key)
    before = m.files()
    answer = m.call("POST", f"/api/v1/apps/{name}/rotate-secret", json={})
    assert answer.status_code == 200, answer.text
    second = answer.json()["secret"]
    assert second != first and answer.json()["previousSecretValidUntil"] is None
    assert m.files() == before  # a generated secret lives in the database, not the manifests
    assert m.call("GET", f"/internal/v1/apps/{name}/secret", "admin").json()["secret"] == second
    wait_until(lambda: m.signs(app_id, key, second) and not m.signs(app_id, key, first), timeout=10,
               message="only the rotated generated secret signs")
    client.ping_pong()

    problem(m.call("POST", f"/api/v1/apps/{name}/rotate-secret", json={"gracePeriodSeconds": -1}), 400)
    problem(m.call("POST", "/api/v1/apps/no-such-app/rotate-secret", json={}), 404)
    env = unique("rote")
    m.create_app(env, {"secret": {"env": ENV_SECRET}})
    refused = problem(m.call("POST", f"/api/v1/apps/{env}/rotate-secret", json={}), 409)
    assert ENV_SECRET in refused["detail"], refused


def test_deleting_an_app_closes_its_connections_and_forgets_its_files_and_secret(m: Managed):
    name = unique("del")
    created = m.create_app(name)
    app_id, key, secret = created["object"]["spec"]["id"], created["object"]["spec"]["key"], created["generatedSecret"]
    client = m.ws(key)
    path = m.config / "apps" / f"{name}.yaml"
    assert path.exists()

    answer = m.call("DELETE", f"/api/v1/apps/{name}")
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["pass"]["result"] == "applied" and "object" not in result, result
    assert result["files"] == [{"path": f"apps/{name}.yaml", "action": "delete"}]
    assert client.wait_closed() == 4001
    assert not path.exists()
    assert m.call("GET", f"/api/v1/apps/{name}").status_code == 404
    assert m.call("GET", f"/internal/v1/apps/{name}/secret", "admin").status_code == 404
    assert m.ws(key, handshake=False).wait_closed() == 4001
    with pytest.raises(pusher.errors.PusherError):
        m.sdk(app_id, key, secret).trigger("x", "y", {})
    problem(m.call("DELETE", f"/api/v1/apps/{name}"), 404)


def test_write_bodies_are_checked(m: Managed):
    before = m.files()
    user_as_app = {"apiVersion": "belfry.dev/v1", "kind": "User", "metadata": {"name": "x"}, "spec": {}}
    problem(m.call("POST", "/api/v1/apps", json=user_as_app), 400)
    problem(m.call("POST", "/api/v1/apps", json=[1, 2]), 400)
    problem(m.call("POST", "/api/v1/apps", json={"apiVersion": "belfry.dev/v1", "kind": "App", "spec": {}}), 400)
    bad_name = problem(m.call("POST", "/api/v1/apps", json={"apiVersion": "belfry.dev/v1", "kind": "App",
                                                           "metadata": {"name": "Not_A_Label"}, "spec": {}}), 400)
    assert "DNS label" in bad_name["detail"], bad_name
    problem(m.call("PUT", "/api/v1/apps/main", json={}), 405)
    problem(m.call("POST", "/api/v1/users/alice/rotate-secret", json={}), 405)
    assert m.files() == before


# --------------------------------------------------------------------------------------
# Users
# --------------------------------------------------------------------------------------


def user_body(name: str, email: str, digest: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"email": email, "passwordHash": BOB_HASH}
    if digest:
        spec["apiTokens"] = [{"name": "laptop", "sha256": digest}]
    return {"apiVersion": "belfry.dev/v1", "kind": "User", "metadata": {"name": name}, "spec": spec}


def test_users_are_created_edited_and_deleted_but_never_themselves(m: Managed):
    name = unique("bob")
    bob_token, digest = new_token("laptop", name)
    answer = m.call("POST", "/api/v1/users", json=user_body(name, f"{name}@example.com", digest))
    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert result["pass"]["result"] == "applied" and result["object"]["spec"]["passwordHash"] == "********"
    [written] = result["files"]
    assert written["action"] == "create"
    path = m.config / written["path"]
    assert load_yaml(path)["spec"]["email"] == f"{name}@example.com"
    assert load_yaml(path)["spec"]["passwordHash"] == BOB_HASH

    got = m.call("GET", f"/api/v1/users/{name}", bob_token)  # bob's own token now opens the API
    assert got.status_code == 200, got.text
    assert got.json()["spec"]["passwordHash"] == "********" and BOB_HASH not in got.text
    assert sorted(u["metadata"]["name"] for u in m.call("GET", "/api/v1/users").json()["users"]) == \
        sorted(["alice", name])

    patched = m.call("PATCH", f"/api/v1/users/{name}", json={"spec": {"email": f"{name}@example.org"}})
    assert patched.status_code == 200, patched.text
    assert load_yaml(path)["spec"]["email"] == f"{name}@example.org"
    assert m.call("GET", f"/api/v1/users/{name}").json()["spec"]["email"] == f"{name}@example.org"
    before = m.files()
    taken = problem(m.call("PATCH", f"/api/v1/users/{name}", json={"spec": {"email": USER_EMAIL}}), 422)
    assert any(written["path"] in e for e in taken["errors"]), taken  # emails stay unique, located
    assert m.files() == before

    # Nobody deletes themselves, even with another User around; another User may.
    problem(m.call("DELETE", f"/api/v1/users/{name}", bob_token), 403)
    problem(m.call("DELETE", "/api/v1/users/alice"), 403)
    assert m.files() == before
    deleted = m.call("DELETE", f"/api/v1/users/{name}")
    assert deleted.status_code == 200 and deleted.json()["pass"]["result"] == "applied", deleted.text
    assert not path.exists()
    wait_until(lambda: m.call("GET", "/api/v1/apps", bob_token).status_code == 401, timeout=10,
               message="the deleted User's token is refused")


def test_the_last_user_cannot_be_deleted(m: Managed):
    users = [u["metadata"]["name"] for u in m.call("GET", "/api/v1/users", "admin").json()["users"]]
    assert users == ["alice"], users
    before = m.files()
    last = problem(m.call("DELETE", "/api/v1/users/alice", "admin"), 403)
    assert "last" in last["detail"], last
    problem(m.call("DELETE", "/api/v1/users/alice?dryRun=true", "admin"), 403)
    self_delete = problem(m.call("DELETE", "/api/v1/users/alice"), 403)
    assert "themselves" in self_delete["detail"], self_delete
    assert m.files() == before
    assert m.call("GET", "/api/v1/users/alice").status_code == 200


# --------------------------------------------------------------------------------------
# The OpenAPI document
# --------------------------------------------------------------------------------------

DOCUMENT = Path(__file__).resolve().parents[2] / "Sources" / "belfry" / "Resources" / "openapi.json"


def test_the_openapi_document_is_served_as_kept_in_the_repository(m: Managed):
    answer = m.call("GET", "/api/v1/openapi.json")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    served = answer.json()
    assert served == json.loads(DOCUMENT.read_text())
    assert served["openapi"].startswith("3.1.")
    paths = served["paths"]
    for path, methods in {
        "/api/v1/apps": {"get", "post"}, "/api/v1/apps/{name}": {"get", "patch", "delete"},
        "/api/v1/apps/{name}/rotate-secret": {"post"}, "/api/v1/users": {"get", "post"},
        "/api/v1/users/{name}": {"get", "patch", "delete"}, "/api/v1/status": {"get"}, "/api/v1/stats": {"get"},
        "/api/v1/reconcile": {"get", "post"}, "/api/v1/openapi.json": {"get"},
    }.items():
        assert methods <= set(paths[path]), (path, set(paths.get(path, {})))
    assert m.call("GET", "/api/v1/openapi.json", "admin").json() == served
    assert m.call("GET", "/api/v1/openapi.json", None).status_code == 401


# --------------------------------------------------------------------------------------
# A git source: writes are commits by the User, pushed to the remote (a bare repository)
# --------------------------------------------------------------------------------------


def git(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30,
                            env={**os.environ, "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
                                 "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com"})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


class GitBacked(BelfryServer):
    """A server whose source is a bare repository (file://, or the URL given), optionally writing to
    another branch."""

    def __init__(self, name: str, root: Path, remote: Path, write_branch: str | None = None,
                 url: str | None = None) -> None:
        super().__init__(name, root, session=False)
        self.remote = remote
        self.write_branch = write_branch
        self.url = url or f"file://{remote}"

    def command(self) -> list[str]:
        cmd = super().command()
        cmd[cmd.index("--source") + 1] = self.url
        return cmd + (["--write-branch", self.write_branch] if self.write_branch else [])


@contextmanager
def started(srv: GitBacked) -> Iterator[GitBacked]:
    """The server started, then stopped and forgotten by conftest (whose log dumps list it)."""
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()
        _ALL_SERVERS.remove(srv)


@contextmanager
def git_daemon(remote: Path, pushes: bool = True) -> Iterator[str]:
    """`git daemon` serving the remote over git://, with pushes allowed or not: the smart protocol,
    which runs the remote's hooks (libgit2's file:// transport writes the repository itself)."""
    port = free_port()
    daemon = subprocess.Popen(
        ["/usr/lib/git-core/git-daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}", "--export-all",
         *(["--enable=receive-pack"] if pushes else []), f"--base-path={remote.parent}", str(remote.parent)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"})
    try:
        def accepts() -> bool:
            assert daemon.poll() is None, f"git daemon exited with {daemon.returncode}"
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0
        wait_until(accepts, timeout=20, message="git daemon accepting")
        yield f"git://127.0.0.1:{port}/{remote.name}"
    finally:
        daemon.kill()
        daemon.wait(timeout=10)


@pytest.fixture
def remote_repo(tmp_path: Path) -> Iterable[tuple[Path, Path, str]]:
    """A bare repository holding the test manifests (alice with an API token), and that token."""
    token, digest = new_token("ci", "alice")
    seed = BelfryServer("seed", tmp_path / "seed", session=False)  # writes the manifests
    _ALL_SERVERS.remove(seed)
    users = seed.config_dir / "users" / "alice.yaml"
    users.write_text(USERS_MANIFEST + f'  apiTokens:\n    - name: ci\n      sha256: "{digest}"\n')
    work = tmp_path / "work"
    shutil.copytree(seed.config_dir, work)
    git("init", "-q", "-b", "main", cwd=work)
    git("add", ".", cwd=work)
    git("commit", "-qm", "the manifests", cwd=work)
    remote = tmp_path / "remote.git"
    git("clone", "-q", "--bare", str(work), str(remote))
    yield remote, tmp_path, token


def call(srv: BelfryServer, method: str, path: str, token: str, **kw: Any) -> requests.Response:
    return requests.request(method, f"http://127.0.0.1:{srv.admin_port}{path}",
                            headers={"Authorization": f"Bearer {token}"}, timeout=60, **kw)


def test_a_write_to_a_git_source_is_a_commit_by_its_user(remote_repo):
    remote, root, token = remote_repo
    with started(GitBacked("git-mapi", root / "srv", remote)) as srv:
        name = unique("git-app")
        answer = call(srv, "POST", "/api/v1/apps", token,
                      json={"apiVersion": "belfry.dev/v1", "kind": "App", "metadata": {"name": name},
                            "spec": {"secret": {"value": "first-secret-value"}}})
        assert answer.status_code == 201, answer.text
        result = answer.json()
        tip = git("--git-dir", str(remote), "rev-parse", "main")
        assert result["commit"] == tip and result["pass"] == {"result": "applied", "revision": tip}, result
        author = git("--git-dir", str(remote), "log", "-1", "--format=%an <%ae>|%cn|%s", "main")
        assert author == f"alice <{USER_EMAIL}>|Belfry|belfry: create App {name}", author
        assert git("--git-dir", str(remote), "show", "--name-only", "--format=", "main") == f"apps/{name}.yaml"
        key = result["object"]["spec"]["key"]
        client = WsClient(srv.ws_url(key), None)
        client.handshake()  # the app is live

        # Someone pushes meanwhile: the next write is built on their commit, not over it.
        clone = root / "clone"
        git("clone", "-q", str(remote), str(clone))
        (clone / "NOTES.md").write_text("pushed by someone else\n")
        git("add", ".", cwd=clone)
        git("commit", "-qm", "a concurrent change", cwd=clone)
        git("push", "-q", "origin", "main", cwd=clone)
        theirs = git("rev-parse", "HEAD", cwd=clone)
        patched = call(srv, "PATCH", f"/api/v1/apps/{name}", token, json={"spec": {"clientEvents": True}})
        assert patched.status_code == 200, patched.text
        assert git("--git-dir", str(remote), "rev-parse", "main^") == theirs
        assert patched.json()["commit"] == git("--git-dir", str(remote), "rev-parse", "main")

        # A rotation is a commit too, and the socket stays open through it.
        rotated = call(srv, "POST", f"/api/v1/apps/{name}/rotate-secret", token, json={"gracePeriodSeconds": 60})
        assert rotated.status_code == 200, rotated.text
        assert rotated.json()["commit"] == git("--git-dir", str(remote), "rev-parse", "main")
        assert rotated.json()["secret"] in git("--git-dir", str(remote), "show", f"main:apps/{name}.yaml")
        client.ping_pong()

        # A dry run pushes nothing; the delete is a commit that removes the file.
        before = git("--git-dir", str(remote), "rev-parse", "main")
        dry = call(srv, "DELETE", f"/api/v1/apps/{name}?dryRun=true", token)
        assert dry.status_code == 200 and dry.json()["dryRun"] is True, dry.text
        assert git("--git-dir", str(remote), "rev-parse", "main") == before
        deleted = call(srv, "DELETE", f"/api/v1/apps/{name}", token)
        assert deleted.status_code == 200, deleted.text
        assert git("--git-dir", str(remote), "log", "-1", "--format=%an|%s", "main") == f"alice|belfry: delete App {name}"
        assert git("--git-dir", str(remote), "ls-tree", "--name-only", "main", "apps/") == ""
        assert client.wait_closed() == 4001


def race_on_push(remote: Path, times: int) -> Path:
    """A pre-receive hook on the remote: the next `times` pushes find that someone else pushed a
    commit to main after the server read it and before its push lands (a real race, not a
    refusal). Returns the file holding how many races are left."""
    left = remote / "races-left"
    left.write_text(str(times))
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(f"""#!/bin/sh
left=$(cat {left})
[ "$left" -gt 0 ] || exit 0
echo $((left - 1)) > {left}
# Outside the push's quarantine, so the commit and the ref update are the repository's own.
unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
old=$(git rev-parse refs/heads/main)
new=$(GIT_AUTHOR_NAME=Someone GIT_AUTHOR_EMAIL=someone@example.com GIT_COMMITTER_NAME=Someone \\
      GIT_COMMITTER_EMAIL=someone@example.com git commit-tree "$old^{{tree}}" -p "$old" -m "a concurrent change")
git update-ref refs/heads/main "$new" "$old"
""")
    hook.chmod(0o755)
    return left


def test_a_push_that_loses_a_race_is_built_again_on_the_winner(remote_repo):
    remote, root, token = remote_repo
    with git_daemon(remote) as url:
        with started(GitBacked("git-race", root / "srv", remote, url=url)) as srv:
            # Once: the write is read again, validated and pushed on top of the concurrent commit.
            left = race_on_push(remote, 1)
            name = unique("race")
            answer = call(srv, "POST", "/api/v1/apps", token,
                          json={"apiVersion": "belfry.dev/v1", "kind": "App", "metadata": {"name": name}, "spec": {}})
            assert answer.status_code == 201, answer.text
            assert left.read_text().strip() == "0", "the hook made its concurrent commit"
            assert answer.json()["commit"] == git("--git-dir", str(remote), "rev-parse", "main")
            assert git("--git-dir", str(remote), "log", "-2", "--format=%an|%s", "main").splitlines() == [
                f"alice|belfry: create App {name}", "Someone|a concurrent change"]
            assert answer.json()["pass"]["result"] == "applied", answer.json()

            # Every time: the second attempt loses too; 409, and nothing of it is on main.
            race_on_push(remote, 2)
            other = unique("lost")
            lost = call(srv, "POST", "/api/v1/apps", token,
                        json={"apiVersion": "belfry.dev/v1", "kind": "App", "metadata": {"name": other}, "spec": {}})
            detail = problem(lost, 409)["detail"]
            assert "retry" in detail and "the remote refused the push" in detail, detail
            assert other not in git("--git-dir", str(remote), "log", "--format=%s", "main")
            assert call(srv, "GET", f"/api/v1/apps/{other}", token).status_code == 404


def test_a_source_without_write_access_answers_403_with_the_reason(remote_repo):
    remote, root, token = remote_repo
    before = git("--git-dir", str(remote), "rev-parse", "main")
    with git_daemon(remote, pushes=False) as url:
        with started(GitBacked("git-readonly", root / "srv", remote, url=url)) as srv:
            name = unique("ro")
            refused = call(srv, "POST", "/api/v1/apps", token,
                           json={"apiVersion": "belfry.dev/v1", "kind": "App", "metadata": {"name": name}, "spec": {}})
            detail = problem(refused, 403)["detail"]
            assert detail.startswith("The source refused the write: ") and "access denied" in detail, detail
            assert git("--git-dir", str(remote), "rev-parse", "main") == before
            assert call(srv, "GET", f"/api/v1/apps/{name}", token).status_code == 404
            # Reading still works: the served configuration is the remote's.
            assert call(srv, "GET", "/api/v1/apps", token).status_code == 200


def test_a_write_branch_takes_the_commits_for_review(remote_repo):
    remote, root, token = remote_repo
    served = git("--git-dir", str(remote), "rev-parse", "main")
    with started(GitBacked("git-review", root / "srv", remote, write_branch="belfry-review")) as srv:
        name = unique("review")
        answer = call(srv, "POST", "/api/v1/apps", token,
                      json={"apiVersion": "belfry.dev/v1", "kind": "App", "metadata": {"name": name}, "spec": {}})
        assert answer.status_code == 201, answer.text
        assert answer.json()["commit"] == git("--git-dir", str(remote), "rev-parse", "belfry-review")
        assert git("--git-dir", str(remote), "rev-parse", "main") == served, "the served branch is untouched"
        assert git("--git-dir", str(remote), "rev-parse", "belfry-review^") == served
        # Nothing is applied until the branch is merged.
        assert call(srv, "GET", f"/api/v1/apps/{name}", token).status_code == 404
