"""bench/summarize.py: the table bench/compare.sh prints (medians, ranges, ratios, targets)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def summarize(tmp_path: Path, runs: list[dict]) -> str:
    results = tmp_path / "results.jsonl"
    results.write_text("".join(json.dumps(r) + "\n" for r in runs))
    out = subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "summarize.py"), str(results)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout


def run(server: str, scenario: str, n: int, client: str = "belfry-bench", **figures) -> dict:
    return {"server": server, "scenario": scenario, "run": n, "client": client, "lost": 0, "failed": 0,
            "pub_err": 0, **figures}


def row(table: str, label: str) -> list[str]:
    line = next(line for line in table.splitlines() if f"| {label} |" in line)
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_medians_ranges_ratios_and_targets(tmp_path: Path):
    runs = [run("nchan", "fan1k_max", i, srv_deliver_per_cpu_s=v) for i, v in enumerate([100_000, 80_000, 90_000])]
    runs += [run("belfry", "fan1k_max", i, srv_deliver_per_cpu_s=v) for i, v in enumerate([130_000, 120_000, 110_000])]
    runs += [run("nchan", "idle10k", 1, srv_rss_per_conn_b=10_000), run("belfry", "idle10k", 1, srv_rss_per_conn_b=7_000)]
    table = summarize(tmp_path, runs)
    fan = row(table, "deliveries per server CPU-s")
    assert fan[2] == "90.0k [80.0k–100.0k]" and fan[3] == "120.0k [110.0k–130.0k]"
    assert fan[4] == "1.33×" and fan[5] == "≥ 1.25× met"
    rss = row(table, "server RSS per idle subscriber (B)")
    assert rss[4] == "0.70×" and rss[5] == "≤ 0.75× met"
    assert "nothing lost" in table


def test_publishes_per_cpu_second_and_problems_are_reported(tmp_path: Path):
    runs = [run("nchan", "pub_only", 1, pub_ok=100_000, srv_cpu_pub_s=1.0),
            run("belfry", "pub_only", 1, pub_ok=100_000, srv_cpu_pub_s=2.0, lost=3)]
    table = summarize(tmp_path, runs)
    pub = row(table, "publishes per server CPU-s (Belfry signed)")
    assert pub[2] == "100.0k" and pub[3] == "50.0k" and pub[4] == "0.50×" and pub[5] == "≥ 1.0× NOT met"
    assert "belfry/pub_only/belfry-bench run 1: lost 3" in table


def test_wsload_scenarios_every_run_targets_idle_kernel_and_the_before_column(tmp_path: Path):
    runs = [run("nchan", "ws_fan1k", i, "wsload", srv_deliver_per_cpu_s=v) for i, v in [(1, 200_000), (2, 100_000)]]
    runs += [run("belfry", "ws_fan1k", i, "wsload", srv_deliver_per_cpu_s=v) for i, v in [(1, 190_000), (2, 150_000)]]
    runs += [run("before", "ws_fan1k", i, "wsload", srv_deliver_per_cpu_s=v) for i, v in [(1, 170_000), (2, 170_000)]]
    # 130 ticks of 1/100 s over 65 s: 20 ms of CPU per second.
    runs += [run("nchan", "ws_idle10k", 1, "wsload", idle_cpu_ticks=65, idle_window_s=65, clk_tck=100),
             run("belfry", "ws_idle10k", 1, "wsload", idle_cpu_ticks=130, idle_window_s=65, clk_tck=100)]
    # Both ends of 1,000 connections took 6,000 kB: 3,072 B per connection on the server's side.
    runs += [run("belfry", "ws_max19k", 1, "wsload", ready=1000, kernel_kb_both_ends=6000)]
    table = summarize(tmp_path, runs)
    fan = row(table, "deliveries per server CPU-s, 1k subscribers")
    # The medians meet 1.0× (170k against 150k), one run does not (0.95): "every run" is not met.
    assert fan[4] == "1.13×", fan
    assert fan[5] == "every run ≥ 1.0× (0.95, 1.50) NOT met", fan
    assert fan[6] == "170.0k [170.0k–170.0k]" and fan[7] == "1.00×", fan
    idle = row(table, "server CPU with 10k idle connections, pings included (ms/s)")
    assert idle[2] == "10.0" and idle[3] == "20.0" and idle[4] == "2.00×" and idle[5] == "≤ 1.0× NOT met", idle
    kernel = row(table, "kernel memory per connection, server side (half of both ends) (B)")
    assert kernel[3] == "3,072", kernel


def test_the_floor_columns_beside_before(tmp_path: Path):
    # compare.sh --before BIN --floor: "before", then the NIO floor and the epoll floor, each with
    # Belfry's ratio to it.
    runs = [run("nchan", "ws_connect10k", 1, "wsload", ready=10_000, srv_cpu_connect_s=0.25),
            run("belfry", "ws_connect10k", 1, "wsload", ready=10_000, srv_cpu_connect_s=0.60),
            run("before", "ws_connect10k", 1, "wsload", ready=10_000, srv_cpu_connect_s=0.80),
            run("floor", "ws_connect10k", 1, "wsload", ready=10_000, srv_cpu_connect_s=0.40),
            run("epoll", "ws_connect10k", 1, "wsload", ready=10_000, srv_cpu_connect_s=0.15)]
    table = summarize(tmp_path, runs)
    header = next(line for line in table.splitlines() if line.startswith("| scenario |"))
    assert header.endswith(
        "| before | Belfry/before | NIO floor | Belfry/floor | epoll floor | Belfry/epoll |"), header
    connect = row(table, "server CPU to accept, upgrade and subscribe (µs)")
    assert connect[2:5] == ["25.0", "60.0", "2.40×"], connect
    assert connect[6:] == ["80.0", "0.75×", "40.0", "1.50×", "15.0", "4.00×"], connect
    # Without the floors in the results there are no floor columns.
    plain = summarize(tmp_path, runs[:3])
    assert "NIO floor" not in plain and "epoll floor" not in plain


def test_the_storm_shows_how_busy_the_client_was(tmp_path: Path):
    # 10,000 connections in 0.25 s: nchan's client used 0.20 s of CPU (80% of its core), Belfry's
    # 0.76 s in 0.76 s, so Belfry's storm rate measures the client.
    runs = [run("nchan", "ws_connect10k", 1, "wsload", ready=10_000, conn_rate=40_000, client_cpu_connect_s=0.20,
                conn_time_s=0.25),
            run("belfry", "ws_connect10k", 1, "wsload", ready=10_000, conn_rate=13_158, client_cpu_connect_s=0.76,
                conn_time_s=0.76)]
    table = summarize(tmp_path, runs)
    client = row(table, "client CPU per connection (µs)")
    assert client[2:5] == ["20.0", "76.0", "3.80×"], client
    busy = row(table, "client's core busy in the storm (~100%: client-bound)")
    assert busy[2:4] == ["80%", "100%"], busy
