"""`belfry bench`: the load generator run as a user would, against the session server.

The real binary opens WebSocket subscribers, publishes signed events through the HTTP API and
prints its report; the last stdout line is one JSON object with wsload-compatible keys.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BELFRY_BIN = Path(os.environ.get("BELFRY_BIN", REPO_ROOT / ".build" / "debug" / "belfry"))
if not BELFRY_BIN.is_absolute():
    BELFRY_BIN = REPO_ROOT / BELFRY_BIN


def bench(server, app, *args: str, secret: str | None = None) -> tuple[int, dict, str]:
    """Run `belfry bench` for `app` on `server`; returns (exit code, JSON report, stderr)."""
    cmd = [str(BELFRY_BIN), "bench", "--url", server.http_url, "--app-id", app.id, "--key", app.key,
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
