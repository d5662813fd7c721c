"""A git repository as the source: pushes apply live while pysher clients stay connected, an
invalid commit keeps the last good configuration, a force-push is followed and reported, an
author cannot delete their own User, and a restart without the remote serves the last applied
configuration."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from pathlib import Path

import pysher
import pytest
import requests

from conftest import REPO_ROOT
from test_reconcile import Served, poll, wait_for_close


class Repo:
    """A work tree pushing to a bare `file://` remote, as a config repository would."""

    def __init__(self, tmp: Path):
        self.remote = tmp / "remote.git"
        self.work = tmp / "work"
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(self.remote)], check=True)
        subprocess.run(["git", "clone", "-q", str(self.remote), str(self.work)], check=True, capture_output=True)
        for f in (REPO_ROOT / "examples" / "config").glob("*.yaml"):
            shutil.copy(f, self.work / f.name)
        self.commit("initial config")

    def git(self, *args: str, author: str = "Alice <alice@example.com>") -> str:
        name, email = author.rstrip(">").split(" <")
        return subprocess.run(
            ["git", "-C", str(self.work), "-c", f"user.name={name}", "-c", f"user.email={email}", *args],
            check=True, capture_output=True, text=True,
        ).stdout.strip()

    def commit(self, message: str, author: str = "Alice <alice@example.com>", force: bool = False) -> str:
        self.git("add", "-A", author=author)
        self.git("commit", "-qm", message, author=author)
        self.git("push", "-q", *(["--force"] if force else []), "origin", "HEAD:main", author=author)
        return self.git("rev-parse", "HEAD")

    def edit(self, file: str, old: str, new: str):
        path = self.work / file
        path.write_text(path.read_text().replace(old, new))


def history(served: Served) -> list[dict]:
    return served.admin("GET", "/api/v1/reconcile").json()["history"]


def pass_for(served: Served, revision: str) -> dict | None:
    return next((p for p in history(served) if p.get("revision") == revision), None)


def test_git_source_end_to_end(tmp_path: Path):
    repo = Repo(tmp_path)
    served = Served(tmp_path, f"file://{repo.remote}")
    client = pysher.Pusher("chat-key", custom_host="127.0.0.1", port=served.port, secure=False)
    connected = threading.Event()
    client.connection.bind("pusher:connection_established", lambda _: connected.set())
    client.connect()
    try:
        assert connected.wait(10)
        dashboard, _ = served.connect("dashboard-key", origin="https://dashboard.example.com")

        # A push goes live: dashboard is disabled, chat's pysher client is untouched.
        repo.edit("dashboards.yaml", "userAuthentication: true", "userAuthentication: true\n  enabled: false")
        head = repo.commit("disable dashboard")
        assert wait_for_close(dashboard) == 4003
        applied = poll(lambda: pass_for(served, head))
        assert applied["result"] == "applied" and applied["author"] == "Alice" and applied["message"] == "disable dashboard"
        assert "Plan: 0 to add, 1 to change, 0 to delete. Source: main@" in applied["plan"]
        assert client.connection.state == "connected"

        # An invalid commit is reported and the last good configuration keeps serving.
        repo.edit("chat.yaml", 'id: "1001"', "id: 1001")
        bad = repo.commit("break chat")
        invalid = poll(lambda: pass_for(served, bad))
        assert invalid["result"] == "invalid" and "must be a string" in invalid["error"]
        _, first = served.connect("chat-key")
        assert first["event"] == "pusher:connection_established"

        # A force-push back to the good commit is followed and reported.
        repo.git("reset", "-q", "--hard", head)
        repo.edit("chat.yaml", "clientEvents: true", "clientEvents: false")
        rewritten = repo.commit("rewrite history", force=True)
        assert poll(lambda: pass_for(served, rewritten))["result"] == "applied"
        assert "was force-pushed" in (tmp_path / "server.log").read_text()

        # An author cannot delete their own User (another admin remains, so only that rule refuses).
        users = (repo.work / "users.yaml").read_text()
        (repo.work / "bob.yaml").write_text(users.replace("alice", "bob").replace("Alice", "Bob"))
        with_bob = repo.commit("add bob")
        assert poll(lambda: pass_for(served, with_bob))["result"] == "applied"
        (repo.work / "users.yaml").unlink()
        self_delete = repo.commit("remove alice")
        refused = poll(lambda: pass_for(served, self_delete))
        assert refused["result"] == "refused" and "users cannot delete themselves" in refused["error"]
        # A bad revision waits for a new commit: it is not re-recorded on every interval.
        before = len([p for p in history(served) if p.get("revision") == self_delete])
        served.admin("POST", "/api/v1/reconcile")
        poll(lambda: history(served)[0]["trigger"] == "manual")
        assert len([p for p in history(served) if p.get("revision") == self_delete]) == before + 1
    finally:
        client.disconnect(timeout=2)
        served.stop()

    # The remote disappears; a restart serves the last applied configuration at once.
    shutil.rmtree(repo.remote)
    restarted = Served(tmp_path, f"file://{repo.remote}")
    try:
        _, first = restarted.connect("dashboard-key", origin="https://dashboard.example.com")
        assert first["event"] == "pusher:error" and first["data"]["code"] == 4003
        # It served before reading the source; the startup pass then finds it gone.
        assert poll(lambda: restarted.admin("GET", "/api/v1/reconcile").json()["lastResult"] == "unreachable")
    finally:
        restarted.stop()


def test_reconcile_cli_reads_a_git_url(tmp_path: Path):
    from test_reconcile import reconcile

    repo = Repo(tmp_path)
    served = Served(tmp_path, f"file://{repo.remote}", interval="3600")  # only the CLI plans here
    try:
        # The start-up pass runs once the server serves: let it finish before the commit, or it
        # applies the commit itself and the CLI rightly finds nothing to plan.
        poll(lambda: served.admin("GET", "/api/v1/reconcile").json()["lastResult"] is not None)
        repo.edit("chat.yaml", "clientEvents: true", "clientEvents: false")
        head = repo.commit("turn off client events")
        plan = reconcile(served, f"file://{repo.remote}", "--dry-run", "--detailed-exitcode", "--branch", "main")
        assert plan.returncode == 2, plan.stderr
        assert f'Source: main@{head[:7]} "turn off client events" by Alice' in plan.stdout
    finally:
        served.stop()
