"""Get started (docs/get-started/): the first-app flow run as the page tells it, plus checks of the
install page's recipes that cannot run here (apt, swift build, a container engine)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from docs_support import BELFRY_BIN, DOCS, REPO_ROOT, free_port, run, snippet, wait_until

FIRST_APP = DOCS / "get-started" / "first-app.md"
INSTALL = DOCS / "get-started" / "install.md"


def fenced_blocks(page: Path, language: str) -> list[str]:
    """The bodies of the page's fenced blocks of one language (inline examples, not snippets)."""
    return re.findall(rf"^```{language}\n(.*?)^```$", page.read_text(), flags=re.S | re.M)


def block_with(page: Path, language: str, needle: str) -> str:
    found = [b for b in fenced_blocks(page, language) if needle in b]
    assert len(found) == 1, f"expected one ```{language} block with {needle!r} in {page.name}, found {len(found)}"
    return found[0]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty directory, as the page starts from; `belfry` (the binary under test) on PATH."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "belfry").symlink_to(BELFRY_BIN)
    return tmp_path


def shell_env(workdir: Path, **extra: str) -> dict[str, str]:
    """The reader's shell: nothing of Belfry's set unless a step says so."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BELFRY_", "PUSHER_"))}
    env["PATH"] = f"{workdir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


def test_first_app_flow(workdir: Path, background) -> None:
    env = shell_env(workdir)
    run(["sh", snippet("shell/first-app-config.sh")], env, cwd=workdir)
    assert {p.name for p in (workdir / "config").iterdir()} == {"chat.yaml", "users.yaml"}

    # 2. Validate: the output the page shows.
    validated = run(["sh", snippet("shell/validate.sh")], env, cwd=workdir)
    assert validated.stdout.strip() == "valid: 1 app, 1 user in 2 files"
    assert "$ belfry validate config\nvalid: 1 app, 1 user in 2 files\n" in FIRST_APP.read_text()

    # 3. Serve, on free ports: --port from PUSHER_PORT as the snippet reads it, the rest as BELFRY_<FLAG>.
    port, admin_port = free_port(), free_port()
    server_env = shell_env(workdir, PUSHER_PORT=str(port), BELFRY_ADMIN_PORT=str(admin_port), BELFRY_HOST="127.0.0.1",
                           BELFRY_LOG_FORMAT="text")
    server = background(["sh", snippet("shell/serve.sh")], server_env, name="serve", cwd=workdir)
    server.wait_for_port(port)
    server.wait_for_port(admin_port)
    log = server.wait_for_output("admin port listening")
    assert "INFO admin token written file=data/admin-token" in log
    assert f"status_page=http://127.0.0.1:{admin_port}/ tls=false" in log
    assert (workdir / "data" / "admin-token").stat().st_mode & 0o777 == 0o600
    assert (workdir / "data").stat().st_mode & 0o777 == 0o700

    client_env = shell_env(workdir, PUSHER_HOST="127.0.0.1", PUSHER_PORT=str(port),
                           BELFRY_ADMIN_URL=f"http://127.0.0.1:{admin_port}")

    # 4. The page's Python subscriber, running until the test ends.
    subscriber_py = workdir / "subscriber.py"
    subscriber_py.write_text(block_with(FIRST_APP, "python", "websockets.connect"))
    subscriber = background(["python3", "-u", subscriber_py], client_env, name="subscriber")
    subscribed = subscriber.wait_for_output("pusher_internal:subscription_succeeded news {}")
    assert subscribed.splitlines()[0] == "pusher:connection_established"

    # 5. Publish with the shell snippet: {} answered, and the event with its data reaches the subscriber.
    published = run(["sh", snippet("shell/publish.sh")], client_env, cwd=workdir)
    assert published.stdout.strip() == "{}"
    subscriber.wait_for_output('greeting news {"text":"hello"}')
    # ... and with the official SDK, as the page shows it.
    sdk_py = workdir / "trigger.py"
    sdk_py.write_text(block_with(FIRST_APP, "python", "pusher.Pusher("))
    assert run(["python3", sdk_py], client_env).stdout.strip() == "{}"
    subscriber.wait_for_output('greeting news {"text": "hello from Python"}')  # the SDK's json.dumps

    # 6. The admin port: ready, and the app with the subscriber's connection and channel.
    status = run(["sh", snippet("shell/status.sh")], client_env, cwd=workdir).stdout
    readiness, apps = status.split("\n", 1)
    assert json.loads(readiness)["status"] == "ready"
    assert set(json.loads(readiness)["checks"]) <= set(re.findall(r'"(\w+)":"ok"', FIRST_APP.read_text()))
    chat = json.loads(apps)["chat"]
    assert chat["enabled"] is True and chat["connections"] == 1 and chat["channels"] == 1

    # The status page's sign-in with the manifest User: the login page is open, the overview is not.
    login = requests.get(f"http://127.0.0.1:{admin_port}/", allow_redirects=False, timeout=5)
    assert login.status_code in (302, 303) and "login" in login.headers["Location"]


def test_validate_errors_as_the_page_shows(workdir: Path) -> None:
    env = shell_env(workdir)
    run(["sh", snippet("shell/first-app-config.sh")], env, cwd=workdir)
    chat = workdir / "config" / "chat.yaml"
    chat.write_text(chat.read_text().replace('id: "1001"', "id: 1001").replace("clientEvents: true", "clientEvents: yes"))
    done = subprocess.run(["sh", snippet("shell/validate.sh")], env=env, cwd=workdir, capture_output=True, text=True)
    assert done.returncode == 1
    page = FIRST_APP.read_text()
    assert f"$ belfry validate config\n{done.stdout}```" in page, done.stdout


def test_pusher_js_blocks_parse() -> None:
    node = shutil.which("node")
    assert node, "node is not installed (make test installs nodejs when it is missing)"
    blocks = fenced_blocks(FIRST_APP, "js")
    assert len(blocks) == 2
    blocks += fenced_blocks(DOCS / "operations" / "proxies.md", "js")
    assert len(blocks) == 3
    for block in blocks:
        for option in ("wsHost", "forceTLS", "enabledTransports", "cluster"):
            assert option in block
        checked = subprocess.run([node, "--check", "--input-type=module"], input=block, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr


def test_install_snippets() -> None:
    # Shell that cannot run here (apt, swift build): its syntax.
    for name in ("build-from-source.sh",):
        checked = subprocess.run(["sh", "-n", snippet(f"shell/{name}")], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
    text = snippet("shell/build-from-source.sh").read_text()
    makefile = (REPO_ROOT / "Makefile").read_text()
    apt = re.search(r"^APT_PACKAGES := (.*)$", makefile, flags=re.M).group(1).split()
    for package in ("libsqlite3-dev", "libssl-dev", "libgit2-dev"):
        assert package in text and package in apt and package in INSTALL.read_text()
    assert "swift build -c release --product belfry" in makefile
    tools = re.search(r"swift-tools-version: ([0-9.]+)", (REPO_ROOT / "Package.swift").read_text()).group(1)
    assert f"swift-tools-version: {tools}" in INSTALL.read_text()
    assert f"swift:{tools}-bookworm" in snippet("container/Containerfile").read_text()
    assert "make run" in makefile and "--source examples/config --port $(PORT) --data-dir .belfry" in makefile


def test_containerfile(tmp_path: Path) -> None:
    """What can be checked without a container engine: the files it copies exist, its run-stage
    packages exist in Debian 12 (this machine), its settings are flags of `belfry serve`."""
    text = snippet("container/Containerfile").read_text()
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", text, flags=re.M):
        for path in source.split():
            assert (REPO_ROOT / path).exists(), f"COPY {path}: not in the repository"
    if shutil.which("apt-cache"):
        run_stage = text.split("FROM debian:bookworm-slim", 1)[1]
        packages = re.search(r"apt-get install -y --no-install-recommends ([^\\\n]+)", run_stage).group(1).split()
        for package in packages:
            policy = subprocess.run(["apt-cache", "policy", package], capture_output=True, text=True).stdout
            assert "Candidate:" in policy and "Candidate: (none)" not in policy, f"{package}: not in this Debian"
    help_text = " ".join(run([str(BELFRY_BIN), "serve", "--help"], dict(os.environ)).stdout.split())
    variables = re.findall(r"\b(BELFRY_[A-Z_]+)=", text)
    assert variables
    for variable in variables:
        assert f"(env {variable})" in help_text, variable
    assert re.search(r'^CMD \["serve"\]$', text, flags=re.M)
