"""Fixtures for the documentation tests (run apart from tests/e2e: `make docs-test`).

- ``belfry``: one session-wide server on examples/config (plus an API token for alice).
- ``belfry_with``: start a server owned by one test, with extra manifests (a webhook to a receiver).
- ``background``: start a long-running snippet that is stopped after the test.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable, Iterable

import pytest

from docs_support import Background, DocsServer


@pytest.fixture(scope="session")
def belfry() -> Iterable[DocsServer]:
    with tempfile.TemporaryDirectory(prefix="belfry-docs-") as root:
        server = DocsServer(Path(root))
        yield server
        server.stop()


@pytest.fixture
def belfry_with(tmp_path: Path) -> Iterable[Callable[..., DocsServer]]:
    started: list[DocsServer] = []

    def start(extra: dict[str, str] | None = None, *flags: str) -> DocsServer:
        root = tmp_path / f"server{len(started)}"
        root.mkdir()
        started.append(DocsServer(root, extra, *flags))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def background(tmp_path: Path) -> Iterable[Callable[..., Background]]:
    started: list[Background] = []

    def start(command: list, env: dict[str, str], name: str = "snippet", cwd: Path | None = None) -> Background:
        started.append(Background([str(c) for c in command], env, tmp_path, f"{name}{len(started)}", cwd))
        return started[-1]

    yield start
    for process in started:
        process.stop()
