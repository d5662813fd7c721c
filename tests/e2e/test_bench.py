"""`belfry bench`: the load generator run as a user would, against the session server.

The real binary opens WebSocket subscribers, publishes signed events through the HTTP API and
prints its report; the last stdout line is one JSON object with wsload-compatible keys.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BELFRY_BIN = Path(os.environ.get("BELFRY_BIN", REPO_ROOT / ".build" / "debug" / "belfry"))
if not BELFRY_BIN.is_absolute():
    BELFRY_BIN = REPO_ROOT / BELFRY_BIN


def bench(server, app, *args: str, secret: str | None = None, url: str | None = None) -> tuple[int, dict, str]:
    """Run `belfry bench` for `app` on `server` (or `url`); returns (exit code, JSON report, stderr)."""
    cmd = [str(BELFRY_BIN), "bench", "--url", url or server.http_url, "--app-id", app.id, "--key", app.key,
           "--secret", secret if secret is not None else app.secret, "--json", "--quiet", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    lines = proc.stdout.strip().splitlines()
    report = json.loads(lines[-1]) if lines else {}
    return proc.returncode, report, proc.stderr


def test_bench_delivers_every_message_to_every_subscriber(server, apps, uniq):
    code, r, err = bench(server, apps["main"], "--connections", "20", "--channels", "2", "--messages", "30",
                         "--channel-prefix", uniq("bench"), "--time-limit", "30")
    assert code == 0, (r, err)
    assert r["tool"] == "belfry-bench" and r["protocol"] == "pusher"
    assert r["connections"] == 20 and r["ready"] == 20 and r["failed"] == 0
    assert r["expected"] == 20 * 30 // 2 == 300
    assert r["delivered"] == r["expected"]
    assert r["lost"] == 0 and r["min_per_conn"] == 15
    assert r["published"] == 30 and r["pub_ok"] == 30 and r["pub_err"] == 0
    for key in ("lat_p50_us", "lat_p99_us", "lat_p999_us", "lat_max_us", "pub_lat_p50_us"):
        assert isinstance(r[key], int) and r[key] > 0, key
    assert r["lat_p50_us"] <= r["lat_p99_us"] <= r["lat_p999_us"] <= r["lat_max_us"]
    assert r["conn_rate"] > 0 and r["pub_rps"] > 0 and r["deliver_rate"] > 0
    assert r["srv_rss_kb_start"] is None and r["srv_deliver_per_cpu_s"] is None


def test_bench_at_a_fixed_rate_with_pipelining_samples_the_server(server, apps, uniq):
    assert server.proc is not None
    code, r, err = bench(server, apps["main"], "--connections", "20", "--channels", "2", "--messages", "30",
                         "--rate", "100", "--publishers", "2", "--depth", "2", "--server-pid", str(server.proc.pid),
                         "--channel-prefix", uniq("bench"), "--time-limit", "30")
    assert code == 0, (r, err)
    assert r["rate"] == 100 and r["publishers"] == 2 and r["depth"] == 2
    assert r["delivered"] == r["expected"] == 300
    # 30 messages at 100/s take at least 0.29 s from the first POST to the last.
    assert r["pub_time_s"] >= 0.28
    for key in ("srv_rss_kb_start", "srv_rss_kb_ready", "srv_rss_kb_end", "srv_rss_per_conn_b",
                "srv_cpu_connect_s", "srv_cpu_pub_s", "srv_deliver_per_cpu_s"):
        assert isinstance(r[key], (int, float)) and not isinstance(r[key], bool), key
    assert r["srv_rss_kb_start"] > 0


def test_bench_with_a_wrong_secret_reports_every_publish_refused(server, apps, uniq):
    code, r, err = bench(server, apps["main"], "--connections", "4", "--messages", "10",
                         "--channel-prefix", uniq("bench"), "--drain", "0.2", "--time-limit", "30",
                         secret="not-the-secret")
    assert code == 1, (r, err)
    assert r["ready"] == 4
    assert r["published"] == 10 and r["pub_err"] == 10 and r["pub_ok"] == 0
    assert r["delivered"] == 0 and r["lost"] == r["expected"] == 40


def test_bench_table_ends_with_the_json_line(server, apps, uniq):
    cmd = [str(BELFRY_BIN), "bench", "--url", server.http_url, "--app-id", apps["main"].id,
           "--key", apps["main"].key, "--secret", apps["main"].secret, "--connections", "2", "--messages", "2",
           "--channel-prefix", uniq("bench")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert any(line.startswith("delivered") for line in lines)
    assert json.loads(lines[-1])["delivered"] == 4


def test_bench_usage_error_exits_2():
    proc = subprocess.run([str(BELFRY_BIN), "bench", "--channels", "0"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert "--channels" in proc.stderr
    assert proc.stdout == ""


class TLSProxy:
    """A TLS-terminating TCP proxy to the server, as a deployment behind a load balancer has:
    asyncio on its own thread, a self-signed certificate for localhost/127.0.0.1 made with
    the openssl CLI."""

    def __init__(self, target_port: int, tmp: Path) -> None:
        cert, key = tmp / "cert.pem", tmp / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.connections = 0
        self.loop = asyncio.new_event_loop()

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, ssl.SSLError):
                pass
            finally:
                writer.close()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", target_port)
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

        self.server = self.loop.run_until_complete(asyncio.start_server(handle, "127.0.0.1", 0, ssl=context))
        self.port = self.server.sockets[0].getsockname()[1]
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


@pytest.fixture
def tls_proxy(server, tmp_path: Path) -> Iterator[TLSProxy]:
    proxy = TLSProxy(server.port, tmp_path)
    yield proxy
    proxy.close()


def test_bench_over_tls_with_insecure_delivers_everything(server, apps, uniq, tls_proxy):
    """`https://` speaks TLS to subscribers and publishers alike; `--insecure` accepts the
    self-signed certificate."""
    code, r, err = bench(server, apps["main"], "--connections", "10", "--messages", "20", "--publishers", "2",
                         "--depth", "2", "--insecure", "--channel-prefix", uniq("tls"), "--time-limit", "30",
                         url=f"https://localhost:{tls_proxy.port}")
    assert code == 0, (r, err)
    assert r["ready"] == 10 and r["delivered"] == r["expected"] == 200 and r["pub_ok"] == 20
    assert tls_proxy.connections == 12  # 10 subscribers and 2 publishers, all through the proxy


def test_bench_over_tls_refuses_an_untrusted_certificate(server, apps, uniq, tls_proxy):
    """Without `--insecure`, a certificate the system does not trust fails every connection,
    and the report says why."""
    app = apps["main"]
    cmd = [str(BELFRY_BIN), "bench", "--url", f"https://localhost:{tls_proxy.port}", "--app-id", app.id,
           "--key", app.key, "--secret", app.secret, "--connections", "2", "--messages", "2",
           "--connect-timeout", "5", "--channel-prefix", uniq("tls"), "--time-limit", "20", "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["ready"] == 0 and r["failed"] == 2
    notes = [line for line in proc.stdout.splitlines() if line.startswith("note")]
    assert any("not trusted" in line and "--insecure" in line for line in notes), proc.stdout
