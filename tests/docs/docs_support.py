"""Helpers for running the documentation's examples against a real server.

The examples the site shows live as files under ``docs/snippets/<language>/`` and are pulled into
the pages with ``--8<-- "snippets/…"``; these helpers start ``belfry serve`` and run those same
files, so a snippet that drifts from the product fails ``make test``.

Every snippet reads where the server is from the environment, with the defaults of ``make run``
(examples/config on port 6001):

- ``PUSHER_HOST`` (127.0.0.1), ``PUSHER_PORT`` (6001), ``PUSHER_SCHEME`` (http)
- ``PUSHER_APP_ID`` (1001), ``PUSHER_APP_KEY`` (chat-key), ``PUSHER_APP_SECRET`` (chat-secret)
- ``BELFRY_ADMIN_URL`` (http://127.0.0.1:9601) and ``BELFRY_API_TOKEN`` for the management API
- ``PORT`` for a snippet that listens (an auth endpoint, a webhook receiver)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS = REPO_ROOT / "docs"
SNIPPETS = DOCS / "snippets"
EXAMPLE_CONFIG = REPO_ROOT / "examples" / "config"
BELFRY_BIN = Path(os.environ.get("BELFRY_BIN", REPO_ROOT / ".build" / "debug" / "belfry"))
if not BELFRY_BIN.is_absolute():
    BELFRY_BIN = REPO_ROOT / BELFRY_BIN

os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

# The chat app of examples/config, which every snippet uses by default.
APP_ID, APP_KEY, APP_SECRET = "1001", "chat-key", "chat-secret"


_PORTS_GIVEN: set[int] = set()


def free_port() -> int:
    """A port nothing listens on now, and one this test run has not handed out before: the kernel's
    pick for bind(0) can repeat right away, and a server given the same port twice (public and admin)
    fails to start."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _PORTS_GIVEN:
            _PORTS_GIVEN.add(port)
            return port


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05,
               message: str = "condition") -> Any:
    """Poll ``predicate`` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}; last value: {last!r}")
        time.sleep(interval)


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def snippet(relative: str) -> Path:
    """The path of a snippet under docs/snippets; it must exist (the page includes it)."""
    path = SNIPPETS / relative
    assert path.is_file(), f"missing snippet {path}"
    return path


class DocsServer:
    """``belfry serve`` on free ports, serving a copy of examples/config plus extra manifests."""

    def __init__(self, root: Path, extra: dict[str, str] | None = None, *flags: str):
        self.root = root
        self.config = root / "config"
        shutil.copytree(EXAMPLE_CONFIG, self.config)
        self.api_token = self._add_api_token()
        for name, text in (extra or {}).items():
            (self.config / name).write_text(text)
        self.port = free_port()
        self.admin_port = free_port()
        self.log_path = root / "server.log"
        self.log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [str(BELFRY_BIN), "serve", "--source", str(self.config), "--host", "127.0.0.1",
             "--port", str(self.port), "--admin-port", str(self.admin_port), "--data-dir", str(root / "data"),
             "--interval", "1", "--log-format", "json", "--shutdown-grace", "2", *flags],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(self._ready, timeout=30, message="belfry serve ready")

    def _add_api_token(self) -> str:
        """A fresh API token for alice, added to her manifest as `belfry token new` says."""
        out = subprocess.run([str(BELFRY_BIN), "token", "new", "--name", "docs", "--user", "alice"],
                             capture_output=True, text=True, timeout=20, check=True).stdout
        token = next(line.strip() for line in out.splitlines() if line.strip().startswith("bfy_"))
        digest = next(line.split("sha256:")[-1].strip(' "') for line in out.splitlines() if "sha256:" in line)
        users = self.config / "users.yaml"
        users.write_text(users.read_text() + f'  apiTokens:\n    - {{ name: docs, sha256: "{digest}" }}\n')
        return token

    def _ready(self) -> bool:
        assert self.process.poll() is None, "belfry serve exited:\n" + self.log_path.read_text()[-4000:]
        import requests
        try:
            return requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=1).status_code == 200 and \
                requests.get(f"http://127.0.0.1:{self.admin_port}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def env(self, **extra: str) -> dict[str, str]:
        """The environment a snippet runs with: where this server is and the chat app's credentials."""
        return {
            **os.environ,
            "PUSHER_HOST": "127.0.0.1", "PUSHER_PORT": str(self.port), "PUSHER_SCHEME": "http",
            "PUSHER_APP_ID": APP_ID, "PUSHER_APP_KEY": APP_KEY, "PUSHER_APP_SECRET": APP_SECRET,
            "BELFRY_ADMIN_URL": f"http://127.0.0.1:{self.admin_port}", "BELFRY_API_TOKEN": self.api_token,
            **extra,
        }

    def log_text(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def run(command: list[str], env: dict[str, str], timeout: float = 60, cwd: Path | None = None,
        input: str | None = None) -> subprocess.CompletedProcess:
    """Run a snippet to completion; fail with its output unless it exits 0."""
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, cwd=cwd, input=input)
    assert done.returncode == 0, (f"{' '.join(map(str, command))} exited {done.returncode}\n"
                                  f"--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}")
    return done


class Background:
    """A snippet that keeps running (an auth endpoint, a webhook receiver, a subscriber).

    Output goes to a file so a test can poll it (``wait_for_output``); ``stop`` ends it.
    """

    def __init__(self, command: list[str], env: dict[str, str], root: Path, name: str, cwd: Path | None = None):
        self.out_path = root / f"{name}.out"
        self.out = open(self.out_path, "w")
        self.command = command
        self.process = subprocess.Popen(command, env=env, stdout=self.out, stderr=subprocess.STDOUT, cwd=cwd,
                                        start_new_session=True)

    def output(self) -> str:
        return self.out_path.read_text()

    def wait_for_output(self, text: str, timeout: float = 15) -> str:
        def seen() -> bool:
            assert self.process.poll() is None or text in self.output(), \
                f"{self.command} exited {self.process.returncode}:\n{self.output()[-4000:]}"
            return text in self.output()
        wait_until(seen, timeout=timeout, message=f"{text!r} in the output of {self.command}")
        return self.output()

    def wait_for_port(self, port: int, timeout: float = 30) -> None:
        def listening() -> bool:
            assert self.process.poll() is None, f"{self.command} exited:\n{self.output()[-4000:]}"
            return port_open(port)
        wait_until(listening, timeout=timeout, message=f"{self.command} listening on {port}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
        self.out.close()
