"""API tokens (`spec.apiTokens` of a User): a token made by `belfry token new` and committed as its
digest opens `/api/v1` as that User, and nothing else (not the pages, not `/internal/v1`); a wrong
or missing token is a 401 in JSON; removing the entry revokes the token as soon as the
configuration applies; requests that change something are logged with their caller, never the token."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import requests

from conftest import BELFRY_BIN, REPO_ROOT, wait_until
from test_reconcile import Served

TOKEN = re.compile(r"^\s*(bfy_[A-Za-z0-9_-]{43})$", re.M)
DIGEST = re.compile(r'^\s*sha256: "([0-9a-f]{64})"$', re.M)


def new_token(name: str, user: str = "alice") -> tuple[str, str, str]:
    """`belfry token new`: the token, its digest and the whole output."""
    result = subprocess.run([str(BELFRY_BIN), "token", "new", "--name", name, "--user", user],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    token, digest = TOKEN.search(result.stdout), DIGEST.search(result.stdout)
    assert token and digest, result.stdout
    return token.group(1), digest.group(1), result.stdout


def add_tokens(users_yaml: Path, entries: list[tuple[str, str]]) -> None:
    """Appends `spec.apiTokens` to the (single) User of users_yaml."""
    text = users_yaml.read_text().rstrip("\n") + "\n  apiTokens:\n"
    text += "".join(f'    - name: {name}\n      sha256: "{digest}"\n' for name, digest in entries)
    users_yaml.write_text(text)


def api(served: Served, method: str, path: str, token: str | None = None, **kw) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.request(method, f"http://127.0.0.1:{served.admin_port}{path}", headers=headers,
                            allow_redirects=False, timeout=10, **kw)


def log_lines(tmp: Path) -> list[dict]:
    lines = []
    for line in (tmp / "server.log").read_text().splitlines():
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return lines


def test_token_new_prints_a_token_once_and_its_manifest_entry():
    token, digest, output = new_token("ci")
    import hashlib

    assert hashlib.sha256(token.encode()).hexdigest() == digest
    assert "only once" in output and "spec.apiTokens" in output and "- name: ci" in output
    assert "alice" in output
    assert new_token("ci")[0] != token
    bad = subprocess.run([str(BELFRY_BIN), "token", "new", "--name", "CI!"], capture_output=True, text=True,
                         timeout=30)
    assert bad.returncode != 0 and "--name" in bad.stderr and len(bad.stderr.strip().splitlines()) <= 3
    usage = subprocess.run([str(BELFRY_BIN), "--help"], capture_output=True, text=True, timeout=30)
    assert "token" in usage.stdout


def test_validate_reports_bad_and_duplicate_digests(tmp_path: Path):
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "examples" / "config", config)
    _, digest, _ = new_token("ci")
    add_tokens(config / "users.yaml", [("ci", digest)])
    ok = subprocess.run([str(BELFRY_BIN), "validate", str(config)], capture_output=True, text=True, timeout=30)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    bob = (config / "users.yaml").read_text().replace("name: alice", "name: bob") \
        .replace("alice@example.com", "bob@example.com").replace("name: ci", "name: deploy")
    (config / "bob.yaml").write_text(bob)
    dup = subprocess.run([str(BELFRY_BIN), "validate", str(config)], capture_output=True, text=True, timeout=30)
    assert dup.returncode == 1
    assert re.search(r'users\.yaml:\d+:\d+: error: /spec/apiTokens/0/sha256: duplicate API token digest "'
                     + digest + r'" \(already used by User "bob" \(token "deploy"\) at bob\.yaml:\d+:\d+\)',
                     dup.stdout), dup.stdout

    (config / "bob.yaml").unlink()
    (config / "users.yaml").write_text((config / "users.yaml").read_text().replace(digest, "bfy_" + "x" * 43))
    bad = subprocess.run([str(BELFRY_BIN), "validate", str(config)], capture_output=True, text=True, timeout=30)
    assert bad.returncode == 1 and "/spec/apiTokens/0/sha256: must be the SHA-256 of the token" in bad.stdout
    assert "bfy_" not in bad.stdout


def test_a_users_token_opens_the_api_until_its_entry_is_removed(tmp_path: Path):
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "examples" / "config", config)
    token, digest, _ = new_token("ci")
    _, other_digest, _ = new_token("laptop")
    add_tokens(config / "users.yaml", [("laptop", other_digest), ("ci", digest)])
    # A long interval: only the explicit reconcile below applies the removal.
    served = Served(tmp_path, config, interval="3600")
    try:
        for path in ["/api/v1/status", "/api/v1/stats", "/api/v1/reconcile", "/api/v1/apps"]:
            answer = api(served, "GET", path, token)
            assert answer.status_code == 200, (path, answer.text)
        assert "apps" in api(served, "GET", "/api/v1/status", token).json()

        for wrong in ["bfy_" + "A" * 43, digest, token + "x", ""]:
            answer = api(served, "GET", "/api/v1/status", wrong)
            assert answer.status_code == 401 and "error" in answer.json(), wrong
        missing = api(served, "GET", "/api/v1/status")
        assert missing.status_code == 401 and "error" in missing.json()

        # API tokens are for /api/v1 only: not the pages, not the reconciler's internal API.
        for path in ["/", "/apps/chat"]:
            page = api(served, "GET", path, token)
            assert page.status_code == 401 and "error" in page.json(), path
        assert api(served, "GET", "/internal/v1/state", token).status_code == 401
        assert api(served, "POST", "/internal/v1/apply", token, json={}).status_code == 401

        # A change made with the token is logged with its User and token name, never the token.
        assert api(served, "POST", "/api/v1/reconcile", token).status_code == 202
        wait_until(lambda: any(line.get("msg") == "admin API request" and line.get("caller") ==
                               "user alice (token ci)" for line in log_lines(tmp_path)),
                   timeout=10, message="the reconcile request is logged with its caller")
        assert any(line.get("msg") == "admin API request refused" for line in log_lines(tmp_path))
        assert token not in (tmp_path / "server.log").read_text()

        # Removing the entry revokes the token once the configuration applies; the other stays.
        users = config / "users.yaml"
        users.write_text(re.sub(r'    - name: ci\n      sha256: "[0-9a-f]{64}"\n', "", users.read_text()))
        assert digest not in users.read_text() and other_digest in users.read_text()
        assert served.admin("POST", "/api/v1/reconcile").status_code == 202
        wait_until(lambda: api(served, "GET", "/api/v1/status", token).status_code == 401, timeout=15,
                   message="the removed token is refused")
        assert api(served, "GET", "/api/v1/stats", token).status_code == 401
        assert served.admin("GET", "/api/v1/status").status_code == 200
    finally:
        served.stop()
