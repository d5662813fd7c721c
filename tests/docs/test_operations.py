"""Operations (docs/operations/): the proxies' configurations in front of a real server, the systemd
unit and its environment file, a stop's drain, backups restored, the troubleshooting page's messages
against the source and against a running server, and the capacity page's figures against
BENCHMARKS.md."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import requests
from websockets.sync.client import connect

from docs_support import (APP_KEY, BELFRY_BIN, DOCS, EXAMPLE_CONFIG, REPO_ROOT, free_port, port_open, run, snippet,
                          wait_until)

OPS = DOCS / "operations"
SOURCES = REPO_ROOT / "Sources"


# --- helpers -------------------------------------------------------------------------------------

def self_signed(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", cert], dict(os.environ))
    return cert, key


def replace_literal(text: str, old: str, new: str) -> str:
    """Replace a value the snippet shows; fail if the snippet no longer has it."""
    assert old in text, f"the snippet no longer contains {old!r}"
    return text.replace(old, new)


def subscribe_publish_through(port: int, cert: Path, belfry) -> None:
    """wss:// subscribe through the proxy, publish with the shell snippet over https:// through it,
    and see the event arrive with its data; /readyz through it too."""
    context = ssl.create_default_context(cafile=str(cert))
    with connect(f"wss://127.0.0.1:{port}/app/{APP_KEY}?protocol=7", ssl=context, open_timeout=10) as ws:
        established = json.loads(ws.recv(timeout=10))
        assert established["event"] == "pusher:connection_established"
        assert json.loads(established["data"])["activity_timeout"] == 120
        ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": "news"}}))
        assert json.loads(ws.recv(timeout=10))["event"] == "pusher_internal:subscription_succeeded"
        env = belfry.env(PUSHER_SCHEME="https", PUSHER_PORT=str(port), CURL_CA_BUNDLE=str(cert))
        assert run(["sh", snippet("shell/publish.sh")], env).stdout.strip() == "{}"
        event = json.loads(ws.recv(timeout=10))
        assert (event["event"], event["channel"], json.loads(event["data"])) == ("greeting", "news", {"text": "hello"})
    ready = requests.get(f"https://127.0.0.1:{port}/readyz", verify=str(cert), timeout=5)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def proxy_timeout_seconds(value: str) -> int:
    match = re.fullmatch(r"(\d+)(s|m)?", value)
    assert match, value
    return int(match.group(1)) * (60 if match.group(2) == "m" else 1)


# --- proxies ---------------------------------------------------------------------------------------

def test_nginx_in_front_of_belfry(belfry, background, tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    assert nginx, "nginx is not installed (apt: nginx; make test installs it)"
    text = snippet("nginx/belfry.conf").read_text()
    # Above --activity-timeout + --pong-timeout, as the page says.
    for directive in ("proxy_read_timeout", "proxy_send_timeout"):
        value = re.search(rf"^\s*{directive} (\S+);", text, flags=re.M).group(1)
        assert proxy_timeout_seconds(value) > 120 + 30
    for header in ("proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $connection_upgrade;",
                   "proxy_http_version 1.1;"):
        assert header in text
    assert "9601" not in re.sub(r"#.*", "", text), "the admin port must not be proxied"

    cert, key = self_signed(tmp_path)
    port = free_port()
    text = replace_literal(text, "server 127.0.0.1:6001;", f"server 127.0.0.1:{belfry.port};")
    text = replace_literal(text, "listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
    text = replace_literal(text, "/etc/letsencrypt/live/ws.example.com/fullchain.pem", str(cert))
    text = replace_literal(text, "/etc/letsencrypt/live/ws.example.com/privkey.pem", str(key))
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    (prefix / "belfry.conf").write_text(text)
    (prefix / "nginx.conf").write_text(f"""
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/belfry.conf;
}}
""")
    tested = subprocess.run([nginx, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                            capture_output=True, text=True)
    assert tested.returncode == 0, tested.stderr
    proxy = background([nginx, "-p", prefix, "-c", prefix / "nginx.conf", "-g", "daemon off;"], dict(os.environ),
                       name="nginx")
    proxy.wait_for_port(port)
    subscribe_publish_through(port, cert, belfry)

    # Without the Upgrade headers (a proxy configured without them), Belfry answers what the
    # troubleshooting page quotes.
    plain = requests.get(f"http://127.0.0.1:{belfry.port}/app/{APP_KEY}?protocol=7", timeout=5)
    assert plain.status_code == 400
    assert plain.json()["error"] == f"WebSocket upgrade expected on /app/{APP_KEY}"


def test_caddy_in_front_of_belfry(belfry, background, tmp_path: Path) -> None:
    caddy = shutil.which("caddy")
    text = snippet("caddy/Caddyfile").read_text()
    assert "9601" not in re.sub(r"#.*", "", text), "the admin port must not be proxied"
    if caddy is None:
        raise AssertionError("caddy is not installed (apt: caddy; make test installs it)")
    cert, key = self_signed(tmp_path)
    port = free_port()
    text = replace_literal(text, "ws.example.com {", f"https://127.0.0.1:{port} {{\n\ttls {cert} {key}")
    text = replace_literal(text, "reverse_proxy 127.0.0.1:6001", f"reverse_proxy 127.0.0.1:{belfry.port}")
    caddyfile = tmp_path / "Caddyfile"
    caddyfile.write_text("{\n\tadmin off\n\tauto_https disable_redirects\n}\n" + text)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "HOME": str(tmp_path)}
    validated = subprocess.run([caddy, "validate", "--config", caddyfile, "--adapter", "caddyfile"], env=env,
                               capture_output=True, text=True)
    assert validated.returncode == 0, validated.stderr
    proxy = background([caddy, "run", "--config", caddyfile, "--adapter", "caddyfile"], env, name="caddy")
    proxy.wait_for_port(port)
    subscribe_publish_through(port, cert, belfry)


# --- systemd -----------------------------------------------------------------------------------

def environment_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def unit_settings(path: Path) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            name, _, value = line.partition("=")
            settings.setdefault(name.strip(), []).append(value.strip())
    return settings


def serve_help() -> str:
    return " ".join(run([str(BELFRY_BIN), "serve", "--help"], dict(os.environ)).stdout.split())


def test_systemd_unit_verifies(tmp_path: Path) -> None:
    unit = snippet("systemd/belfry.service").read_text()
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is not installed (apt: systemd; make test installs it)"
    env_file = tmp_path / "belfry.env"
    shutil.copy(snippet("systemd/belfry.env"), env_file)
    copy = tmp_path / "belfry.service"
    copy.write_text(replace_literal(replace_literal(unit, "/usr/local/bin/belfry", str(BELFRY_BIN)),
                                    "/etc/belfry/belfry.env", str(env_file)))
    verified = subprocess.run([analyze, "verify", "--man=no", copy], capture_output=True, text=True)
    # systemd-analyze exits 0 on unknown keys and bad values: its warnings are the verdict.
    assert verified.returncode == 0 and verified.stdout.strip() == "" and verified.stderr.strip() == "", \
        verified.stdout + verified.stderr


def test_systemd_unit_runs_and_drains(tmp_path: Path) -> None:
    """The unit's ExecStart with its environment file (paths and ports moved into tmp), then its
    KillSignal with a client that never answers the close: /readyz turns 503 during the drain,
    the client got 4200, the process exits after the grace."""
    settings = unit_settings(snippet("systemd/belfry.service"))
    values = environment_file(snippet("systemd/belfry.env"))
    help_text = serve_help()
    for name in values:
        assert f"(env {name})" in help_text, f"{name} is not a setting of belfry serve"
    grace = float(values["BELFRY_SHUTDOWN_GRACE"])
    assert int(settings["TimeoutStopSec"][0]) >= grace + 10
    assert settings["KillSignal"] == ["SIGTERM"]
    assert settings["StateDirectory"] == ["belfry"] and values["BELFRY_DATA_DIR"] == "/var/lib/belfry"

    config = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG, config)
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    port, admin_port = free_port(), free_port()
    values.update(BELFRY_SOURCE=str(config), BELFRY_DATA_DIR=str(data), BELFRY_PORT=str(port),
                  BELFRY_ADMIN_PORT=str(admin_port), BELFRY_SHUTDOWN_GRACE="2")
    command = settings["ExecStart"][0].split()
    assert command[:2] == ["/usr/local/bin/belfry", "serve"]
    log = open(tmp_path / "serve.log", "w")
    process = subprocess.Popen([str(BELFRY_BIN), *command[1:]], env={"PATH": os.environ["PATH"], **values},
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: port_open(port) and port_open(admin_port), timeout=30, message="belfry listening")
        lines = [json.loads(line) for line in (tmp_path / "serve.log").read_text().splitlines()]
        assert any(line["msg"] == "made the data directory private (0700)" for line in lines)  # JSON: BELFRY_LOG_FORMAT
        assert data.stat().st_mode & 0o777 == 0o700
        for name in ("belfry.sqlite", "admin-token", "session-key", "store-id"):
            assert (data / name).stat().st_mode & 0o777 == 0o600, name
        assert requests.get(f"http://127.0.0.1:{admin_port}/readyz", timeout=5).status_code == 200
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200  # the probes' port

        # A raw WebSocket client that reads once and then never answers: the drain waits for it.
        raw = socket.create_connection(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        raw.sendall((f"GET /app/{APP_KEY}?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                     f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        received = b""
        while b"pusher:connection_established" not in received:
            received += raw.recv(4096)
        stopped_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        # Both ports' /readyz say 503 while the drain waits; the admin port still serves /metrics.
        wait_until(lambda: requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 503,
                   timeout=5, message="/readyz 503 while draining")
        admin_ready = requests.get(f"http://127.0.0.1:{admin_port}/readyz", timeout=2)
        assert admin_ready.status_code == 503, admin_ready.text
        assert requests.get(f"http://127.0.0.1:{admin_port}/metrics", timeout=2).status_code == 200
        assert process.poll() is None, "exited before the grace"
        while b"Server is shutting down; reconnect" not in received or len(received) < 4:
            chunk = raw.recv(4096)
            if not chunk:
                break
            received += chunk
        assert b'"code":4200' in received and b"Server is shutting down; reconnect" in received
        # The close frame: opcode 8, status 4200.
        assert b"\x88" in received and (4200).to_bytes(2, "big") in received
        process.wait(timeout=grace + 20)
        elapsed = time.monotonic() - stopped_at
        assert 2 <= elapsed < 2 + 10, elapsed
        messages = [json.loads(line)["msg"] for line in (tmp_path / "serve.log").read_text().splitlines()]
        assert "draining" in messages and messages[-1] == "stopped"
        raw.close()
    finally:
        if process.poll() is None:
            process.kill()
        log.close()


# --- backups and upgrades -------------------------------------------------------------------------

GENERATED = """apiVersion: belfry.dev/v1
kind: App
metadata:
  name: generated
spec:
  id: "2001"
  key: generated-key
"""


def start_on(config: Path, data: Path, log: Path) -> tuple[subprocess.Popen, int, int]:
    port, admin_port = free_port(), free_port()
    process = subprocess.Popen(
        [str(BELFRY_BIN), "serve", "--source", str(config), "--host", "127.0.0.1", "--port", str(port),
         "--admin-port", str(admin_port), "--data-dir", str(data), "--log-format", "json", "--shutdown-grace", "1"],
        stdout=open(log, "a"), stderr=subprocess.STDOUT)
    return process, port, admin_port


def generated_secret(admin_port: int, data: Path) -> str:
    token = (data / "admin-token").read_text().strip()
    answer = requests.get(f"http://127.0.0.1:{admin_port}/internal/v1/apps/generated/secret",
                          headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()["secret"]


def test_backup_and_restore(belfry_with, tmp_path: Path) -> None:
    server = belfry_with({"generated.yaml": GENERATED})
    data = server.root / "data"
    secret = wait_until(lambda: generated_secret(server.admin_port, data), message="a generated secret")
    admin_token = (data / "admin-token").read_text()

    # Backed up while it runs and writes.
    env = {**os.environ, "BELFRY_DATA_DIR": str(data), "BACKUP_DIR": str(tmp_path / "backups")}
    backup = Path(run(["sh", snippet("shell/backup.sh")], env).stdout.strip())
    assert {p.name for p in backup.iterdir()} == {"belfry.sqlite", "store-id", "session-key", "admin-token"}
    assert backup.stat().st_mode & 0o777 == 0o700
    for path in backup.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path

    # The tables the page lists are the database's, and so are its migrations.
    page = (OPS / "backups.md").read_text()
    with sqlite3.connect(backup / "belfry.sqlite") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} - {"sqlite_sequence"}
        migrations = [row[0] for row in db.execute("SELECT identifier FROM grdb_migrations")]
    listed = set(re.findall(r"^\| `(\w+)`(?:, `(\w+)`)? \|", page, flags=re.M))
    assert {name for pair in listed for name in pair if name} == tables
    source_migrations = re.findall(r'registerMigration\("([^"]+)"\)',
                                   (SOURCES / "BelfryStore" / "Store+Migrations.swift").read_text())
    assert migrations == source_migrations
    assert re.findall(r"^\| `(v\d+-[\w-]+)` \|", page, flags=re.M) == source_migrations
    server.stop()

    # Restored into an empty directory: the server starts on it with the same secret and token.
    restored = tmp_path / "restored"
    run(["sh", snippet("shell/restore.sh"), backup], {**os.environ, "BELFRY_DATA_DIR": str(restored)})
    assert restored.stat().st_mode & 0o777 == 0o700
    log = tmp_path / "restored.log"
    process, port, admin_port = start_on(server.config, restored, log)
    try:
        wait_until(lambda: port_open(admin_port), timeout=30, message="restored server listening")
        assert generated_secret(admin_port, restored) == secret
        assert (restored / "admin-token").read_text() == admin_token
    finally:
        process.terminate()
        process.wait(timeout=15)

    # A store-id without its database is refused, with the words the pages quote.
    emptied = tmp_path / "emptied"
    emptied.mkdir(mode=0o700)
    shutil.copy(backup / "store-id", emptied / "store-id")
    refused = subprocess.run(
        [str(BELFRY_BIN), "serve", "--source", str(server.config), "--host", "127.0.0.1", "--port", "0",
         "--admin-port", "0", "--data-dir", str(emptied), "--log-format", "json"],
        capture_output=True, text=True, timeout=30)
    assert refused.returncode != 0
    expected = (f"Error: the database {emptied}/belfry.sqlite was deleted or replaced (it is not store "
                f"{(backup / 'store-id').read_text().strip()}): apps with generated secrets and the admin token "
                "would get new ones. Restore the database, or start with --regenerate-credentials to accept new "
                "credentials.")
    assert expected in refused.stderr, refused.stderr
    quoted = re.search(r"^Error: the database /var/lib/belfry/belfry.sqlite was deleted.*$", page, flags=re.M).group(0)
    assert re.fullmatch(re.escape(quoted).replace(re.escape("…"), ".+").replace("/var/lib/belfry", re.escape(str(emptied))),
                        expected)

    # A database from a newer belfry (a migration this one does not know) is refused.
    newer = tmp_path / "newer"
    run(["sh", snippet("shell/restore.sh"), backup], {**os.environ, "BELFRY_DATA_DIR": str(newer)})
    with sqlite3.connect(newer / "belfry.sqlite") as db:
        db.execute("INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')")
    refused = subprocess.run(
        [str(BELFRY_BIN), "serve", "--source", str(server.config), "--host", "127.0.0.1", "--port", "0",
         "--admin-port", "0", "--data-dir", str(newer), "--log-format", "json"],
        capture_output=True, text=True, timeout=30)
    expected = (f"Error: cannot open the state database in {newer}: the state database {newer}/belfry.sqlite was "
                "written by a newer belfry (migrations v99-future); run that version or point --data-dir elsewhere")
    assert refused.returncode != 0 and expected in refused.stderr, refused.stderr
    quoted = re.search(r"^Error: cannot open the state database in .*$", page, flags=re.M).group(0)
    assert re.fullmatch(re.escape(quoted).replace(re.escape("…"), ".+").replace("/var/lib/belfry", re.escape(str(newer))),
                        expected)


# --- troubleshooting ------------------------------------------------------------------------------

def quoted_messages() -> list[str]:
    """The backticked strings of every **You see** line of the troubleshooting page."""
    text = (OPS / "troubleshooting.md").read_text()
    messages = [m for line in text.splitlines() if line.startswith("**You see**")
                for m in re.findall(r"`([^`]+)`", line)]
    assert len(messages) > 40
    return messages


def source_text() -> str:
    """Every Swift source, with escaped quotes unescaped and concatenated literals joined."""
    text = "\n".join(p.read_text() for p in sorted(SOURCES.rglob("*.swift")))
    return re.sub(r'"\s*\n?\s*\+\s*"', "", text.replace('\\"', '"'))


# Messages put together at run time, which no one literal holds: the pieces that build them, each
# of which must be in the source (those marked live are also produced by a test below).
COMPOSED = {
    "Unsupported protocol version …; supported: 5–7": [  # live
        "; supported: \\(supportedProtocols.lowerBound)–\\(supportedProtocols.upperBound)",
        "supportedProtocols = 5...7"],
    "Timestamp expired: Given timestamp (…) not within 600s of server time (…)": [  # live
        "Timestamp expired: Given timestamp (\\(UTCTime.iso8601(given))) not within \\(window)s of server time ",
        "timestampWindow = 600"],
    "Missing parameter: auth_key": ['"Missing parameter: \\(name)"', 'missingParameter("auth_key")'],  # live
    "Missing parameter: auth_signature": ['missingParameter("auth_signature")'],  # live
    "must be a string, got a number (quote it)": [  # live (test_get_started)
        'let unquoted = ["got a number"', 'return message + " (quote it)"'],
    "must be a boolean, got a string (write true or false; YAML 1.1 words like yes/off and quoted \"true\" are strings)": [
        'if message == "must be a boolean, got a string"',
        '" (write true or false; YAML 1.1 words like yes/off and quoted "true" are strings)"'],
    "git fetch failed (authentication): …": [
        '"git \\(operation.rawValue) failed (\\(kindText)): \\(message)"', 'case .auth: kindText = "authentication"',
        "case fetch"],
    "cannot listen on 0.0.0.0:6001 (public port): Address already in use": ["cannot listen on ", "(public port)"],
}


def test_troubleshooting_messages_occur_in_the_source() -> None:
    sources = source_text()
    missing = []
    for message in quoted_messages():
        if message in COMPOSED:
            missing += [(message, piece) for piece in COMPOSED[message] if piece not in sources]
            continue
        for fragment in message.split("…"):
            fragment = fragment.strip()
            if len(fragment) >= 3 and fragment not in sources:
                missing.append((message, fragment))
    assert not missing, missing


def matches_page(message: str) -> bool:
    for quoted in quoted_messages():
        pattern = ".+".join(re.escape(part) for part in quoted.split("…"))
        if re.fullmatch(pattern, message):
            return True
    return False


def ws_refusal(port: int, path: str, origin: str | None = None) -> tuple[int, str]:
    headers = {"Origin": origin} if origin else None
    with connect(f"ws://127.0.0.1:{port}{path}", additional_headers=headers, open_timeout=10) as ws:
        error = json.loads(ws.recv(timeout=10))
        assert error["event"] == "pusher:error"
        try:
            ws.recv(timeout=10)
        except Exception:  # the close that follows
            pass
        assert ws.close_code == error["data"]["code"] and ws.close_reason == error["data"]["message"]
        return error["data"]["code"], error["data"]["message"]


STRICT_ORIGIN = """apiVersion: belfry.dev/v1
kind: App
metadata:
  name: shop
spec:
  id: "3001"
  key: shop-key
  secret: { value: shop-secret }
  allowedOrigins: ["https://shop.example.com"]
  limits: { maxConnections: 1 }
"""


def test_troubleshooting_messages_as_a_server_sends_them(belfry_with) -> None:
    server = belfry_with({"shop.yaml": STRICT_ORIGIN})
    port = server.port
    cases = {
        4001: ws_refusal(port, "/app/chat-kye?protocol=7"),
        4003: ws_refusal(port, "/app/legacy-game-key?protocol=7"),
        4005: ws_refusal(port, "/socket?protocol=7"),
        4007: ws_refusal(port, f"/app/{APP_KEY}?protocol=3"),
        4008: ws_refusal(port, f"/app/{APP_KEY}"),
    }
    cases[4009] = ws_refusal(port, "/app/shop-key?protocol=7", origin="http://shop.example.com")
    no_origin = ws_refusal(port, "/app/shop-key?protocol=7")
    assert no_origin == (4009, "Origin (none) is not allowed for this app")
    with connect(f"ws://127.0.0.1:{port}/app/shop-key?protocol=7",
                 additional_headers={"Origin": "https://shop.example.com"}) as first:
        assert json.loads(first.recv(timeout=10))["event"] == "pusher:connection_established"
        cases[4004] = ws_refusal(port, "/app/shop-key?protocol=7", origin="https://shop.example.com")
    for code, (got, message) in cases.items():
        assert got == code, (code, got, message)
        assert matches_page(message), f"{code} {message!r} is not quoted on the troubleshooting page"

    # HTTP API refusals, from the shell snippet with one thing wrong each time.
    def publish(**env: str) -> str:
        return run(["sh", snippet("shell/publish.sh")], server.env(**env)).stdout.strip()

    answers = [publish(PUSHER_APP_SECRET="wrong-secret"), publish(PUSHER_APP_KEY="shop-key"),
               publish(PUSHER_APP_ID="9999"), publish(PUSHER_APP_ID="1003", PUSHER_APP_KEY="legacy-game-key",
                                                      PUSHER_APP_SECRET="legacy-game-secret")]
    errors = [json.loads(answer)["error"] for answer in answers]
    assert errors[0].startswith('Invalid signature: you should have sent HmacSHA256Hex("POST\\n/apps/1001/events\\n')
    assert errors[1] == 'Unknown auth_key: "shop-key" is not this app\'s key'
    assert errors[2] == "Unknown app id 9999"
    assert errors[3] == "Application disabled: app 1003 has spec.enabled: false"
    stale = requests.post(f"http://127.0.0.1:{port}/apps/1001/events?auth_key=chat-key&auth_timestamp=1000000000"
                          "&auth_version=1.0&auth_signature=00", data="", timeout=5)
    assert stale.status_code == 401
    errors.append(stale.json()["error"])
    for missing in ("auth_key", "auth_signature"):
        query = "&".join(f"{k}={v}" for k, v in {"auth_key": "chat-key", "auth_timestamp": str(int(time.time())),
                                                  "auth_version": "1.0", "auth_signature": "00"}.items() if k != missing)
        answer = requests.post(f"http://127.0.0.1:{port}/apps/1001/events?{query}", data="", timeout=5)
        assert answer.status_code == 401
        errors.append(answer.json()["error"])
    assert errors[-2:] == ["Missing parameter: auth_key", "Missing parameter: auth_signature"]
    for message in errors:
        assert matches_page(message), f"{message!r} is not quoted on the troubleshooting page"

    # A second server on a port in use.
    taken = subprocess.run(
        [str(BELFRY_BIN), "serve", "--source", str(server.config), "--host", "127.0.0.1", "--port", str(port),
         "--admin-port", "0", "--data-dir", str(server.root / "second"), "--log-format", "json"],
        capture_output=True, text=True, timeout=30)
    assert taken.returncode != 0, taken.stderr
    assert f"cannot listen on 127.0.0.1:{port} (public port): Address already in use" in taken.stderr, taken.stderr


# --- capacity -------------------------------------------------------------------------------------

def test_capacity_figures_are_the_benchmarks() -> None:
    """Every figure in the measured tables of the capacity page appears in BENCHMARKS.md."""
    page = (OPS / "capacity.md").read_text()
    benchmarks = (REPO_ROOT / "BENCHMARKS.md").read_text()
    section = page.split("## Measured figures", 1)[1].split("## Estimate a node", 1)[0]
    figures = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2 and re.match(r"^[+\d]", cells[1]):
            figures.append(cells[1])
    assert len(figures) >= 12
    for figure in figures:
        for number in re.findall(r"\d[\d,.]*(?:k)?", figure):
            assert number in benchmarks, f"{number} ({figure}) is not in BENCHMARKS.md"
    for condition in ("a652624", "8baa6f3", "2026-11-27", "2026-11-30", "pinned", "2 vCPUs"):
        assert condition in page
