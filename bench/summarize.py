#!/usr/bin/env python3
"""Summarise bench/compare.sh results: medians, ranges and Belfry/nchan ratios as Markdown.

    python3 bench/summarize.py results.jsonl [machine.txt]

Each line of results.jsonl is one run's JSON report (from `belfry bench --json`, or wsload's
key=value line turned into JSON) tagged with server, scenario, run and client.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict

# (scenario, client, measure, label, unit, better, target ratio or None, absolute Belfry bound or None
#  [, True: the target must hold in every run, each Belfry run against the nchan run of its number])
MEASURES = [
    ("idle10k", "belfry-bench", "srv_rss_per_conn_b", "server RSS per idle subscriber", "B", "lower", 0.75, None),
    ("idle10k", "belfry-bench", "conn_rate", "connect rate (client-bound)", "/s", "higher", None, None),
    ("idle10k", "belfry-bench", "srv_cpu_per_conn_us", "server CPU per connection (nchan: upgrade only)", "µs", "lower",
     None, None),
    ("fan1k_max", "belfry-bench", "srv_deliver_per_cpu_s", "deliveries per server CPU-s", "/s", "higher", 1.25, None),
    ("fan1k_max", "belfry-bench", "deliver_rate", "deliveries per second", "/s", "higher", None, None),
    ("fan1k_max", "belfry-bench", "lat_p50_us", "latency p50", "ms", "lower", None, None),
    ("fan1k_max", "belfry-bench", "lat_p99_us", "latency p99", "ms", "lower", None, None),
    ("fan1k_d4", "belfry-bench", "srv_deliver_per_cpu_s", "deliveries per server CPU-s, 4 publishes in flight", "/s",
     "higher", None, None),
    ("fan1k_d4", "belfry-bench", "deliver_rate", "deliveries per second, 4 publishes in flight", "/s", "higher", None,
     None),
    ("fan1k_d4", "belfry-bench", "lat_p99_us", "latency p99, 4 publishes in flight", "ms", "lower", None, None),
    ("fan1k_r30", "belfry-bench", "lat_p50_us", "latency p50 at 30k deliveries/s", "ms", "lower", None, None),
    ("fan1k_r30", "belfry-bench", "lat_p99_us", "latency p99 at 30k deliveries/s", "ms", "lower", 0.5, None),
    ("fan1k_r30", "belfry-bench", "srv_cpu_share", "server CPU share", "%", "lower", None, None),
    ("fan10k_max", "belfry-bench", "deliver_rate", "deliveries per second", "/s", "higher", None, None),
    ("fan10k_max", "belfry-bench", "srv_deliver_per_cpu_s", "deliveries per server CPU-s", "/s", "higher", None, None),
    ("fan10k_max", "belfry-bench", "lat_p99_us", "latency p99", "ms", "lower", None, None),
    ("fan10k_one", "belfry-bench", "lat_max_us", "one message to 10k subscribers (max latency)", "ms", "lower",
     None, 100_000),
    ("fan10k_one", "belfry-bench", "lat_p50_us", "latency p50", "ms", "lower", None, None),
    ("pub_only", "belfry-bench", "pub_per_cpu_s", "publishes per server CPU-s (Belfry signed)", "/s", "higher",
     1.0, None),
    ("pub_only", "belfry-bench", "pub_rps", "publishes per second", "/s", "higher", None, None),
    ("ws_connect10k", "wsload", "srv_cpu_per_conn_us", "server CPU to accept, upgrade and subscribe", "µs", "lower",
     None, 35),
    ("ws_connect10k", "wsload", "conn_rate", "reconnect storm: 10k clients, 500 at a time", "/s", "higher", 0.8, None),
    # The storm's other bound: wsload's own core. Near 100% busy, the rate measures the client
    # (CPU is counted in 10 ms ticks, so a share can read a few % over 100).
    ("ws_connect10k", "wsload", "client_cpu_per_conn_us", "client CPU per connection", "µs", "lower", None, None),
    ("ws_connect10k", "wsload", "client_busy_share", "client's core busy in the storm (~100%: client-bound)", "%",
     "lower", None, None),
    ("ws_connect10k", "wsload", "srv_rss_per_conn_b", "server RSS per idle subscriber", "B", "lower", 0.33, None),
    ("ws_idle10k", "wsload", "idle_cpu_ms_per_s", "server CPU with 10k idle connections, pings included", "ms/s",
     "lower", 1.0, None),
    ("ws_max19k", "wsload", "srv_rss_per_conn_b", "server RSS per idle subscriber at 19k", "B", "lower", 0.33, None),
    ("ws_max19k", "wsload", "kernel_per_conn_b", "kernel memory per connection, server side (half of both ends)",
     "B", "lower", None, None),
    ("ws_max19k", "wsload", "delivered", "deliveries of 2 publishes to 19k subscribers", "", "higher", None, None),
    ("ws_fan1k", "wsload", "srv_deliver_per_cpu_s", "deliveries per server CPU-s, 1k subscribers", "/s", "higher",
     1.0, None, True),
    ("ws_fan1k", "wsload", "lat_p99_us", "latency p99, 1k subscribers", "ms", "lower", None, None),
    ("ws_fan10k", "wsload", "srv_deliver_per_cpu_s", "deliveries per server CPU-s, 10k subscribers", "/s", "higher",
     1.0, None, True),
    ("ws_fan10k", "wsload", "lat_p99_us", "latency p99, 10k subscribers", "ms", "lower", None, None),
    ("ws_pub", "wsload", "pub_per_cpu_s", "publishes per server CPU-s", "/s", "higher", 1.0, None),
    ("ws_pub", "wsload", "pub_rps", "publishes per second", "/s", "higher", None, None),
]


def derived(r: dict) -> dict:
    """Adds figures computed from a run's raw keys."""
    ready, connect_cpu = r.get("ready") or 0, r.get("srv_cpu_connect_s")
    if ready > 0 and connect_cpu is not None:
        r["srv_cpu_per_conn_us"] = 1e6 * connect_cpu / ready
    client_cpu, connect_time = r.get("client_cpu_connect_s"), r.get("conn_time_s")
    if ready > 0 and client_cpu is not None:
        r["client_cpu_per_conn_us"] = 1e6 * client_cpu / ready
        if connect_time:
            r["client_busy_share"] = 100 * client_cpu / connect_time
    if r.get("kernel_kb_both_ends") is not None and ready > 0:
        # Both ends of each connection are on this machine: half is the server's side.
        r["kernel_per_conn_b"] = r["kernel_kb_both_ends"] * 1024 / ready / 2
    ticks, window = r.get("idle_cpu_ticks"), r.get("idle_window_s")
    if ticks is not None and window:
        r["idle_cpu_ms_per_s"] = 1000 * ticks / (r.get("clk_tck") or 100) / window
    cpu = r.get("srv_cpu_pub_s") or 0
    if cpu > 0:
        r["pub_per_cpu_s"] = (r.get("pub_ok") or 0) / cpu
        wall = r.get("pub_time_s") or r.get("deliver_time_s") or 0
        if wall > 0:
            r["srv_cpu_share"] = 100 * cpu / wall
    return r


def fmt(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value / 1000:.1f}"
    if unit in ("ms/s", "µs") and value < 100:
        return f"{value:.1f}"
    if unit == "%":
        return f"{value:.0f}%"
    if unit == "B":
        return f"{value:,.0f}"
    return f"{value / 1000:.1f}k" if value >= 10_000 else f"{value:,.0f}"


def cell(values: list[float], unit: str) -> str:
    if not values:
        return "—"
    med = statistics.median(values)
    if len(values) == 1:
        return fmt(med, unit)
    return f"{fmt(med, unit)} [{fmt(min(values), unit)}–{fmt(max(values), unit)}]"


def per_run_ratios(runs: dict, scenario: str, client: str, key: str) -> list[float]:
    """Belfry/nchan of each run number both servers have."""
    by_run = {}
    for server in ("nchan", "belfry"):
        for r in runs.get((scenario, client, server), []):
            if r.get(key) is not None:
                by_run.setdefault(r["run"], {})[server] = r[key]
    return [v["belfry"] / v["nchan"] for _, v in sorted(by_run.items()) if len(v) == 2 and v["nchan"] > 0]


def main() -> int:
    runs: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    with open(sys.argv[1]) as f:
        for line in f:
            if line.strip():
                r = derived(json.loads(line))
                runs[(r["scenario"], r["client"], r["server"])].append(r)
    if len(sys.argv) > 2:
        print(open(sys.argv[2]).read().strip().lstrip("# "))
        print()
    # An A/B run (compare.sh --before BIN) adds the binary before the change as server "before";
    # compare.sh --floor adds the least a SwiftNIO server does for the same clients as "floor",
    # and the same floor on epoll(7) without NIO as "epoll"; compare.sh --nio adds Belfry with
    # `--engine nio` as "bnio" (runs of compare.sh --epoll, before epoll was the default, have
    # Belfry with `--engine epoll` as "bepoll").
    extras = [(server, title)
              for server, title in (("before", "before"), ("floor", "NIO floor"), ("epoll", "epoll floor"),
                                    ("bnio", "Belfry --engine nio"), ("bepoll", "Belfry --engine epoll"))
              if any(s == server for (_, _, s) in runs)]
    # Belfry on the other engine is also set against nchan, as Belfry is.
    engines = ("bnio", "bepoll")
    print("| scenario | measure | nchan | Belfry | Belfry/nchan | target |"
          + "".join(f" {title} | Belfry/{server} |" + (f" {server}/nchan |" if server in engines else "")
                    for server, title in extras))
    print("|---|---|---|---|---|---|" + "".join("---|---|" + ("---|" if server in engines else "")
                                               for server, _ in extras))
    for scenario, client, key, label, unit, better, target, bound, *every in MEASURES:
        nchan = [r[key] for r in runs.get((scenario, client, "nchan"), []) if r.get(key) is not None]
        belfry = [r[key] for r in runs.get((scenario, client, "belfry"), []) if r.get(key) is not None]
        if not nchan and not belfry:
            continue
        ratio, verdict = "—", ""
        if nchan and belfry and statistics.median(nchan) > 0:
            q = statistics.median(belfry) / statistics.median(nchan)
            ratio = f"{q:.2f}×"
            if target is not None:
                met = q >= target if better == "higher" else q <= target
                verdict = f"{'≥' if better == 'higher' else '≤'} {target}× {'met' if met else 'NOT met'}"
            if every and target is not None:
                pairs = per_run_ratios(runs, scenario, client, key)
                met = all((q >= target) if better == "higher" else (q <= target) for q in pairs)
                shown = ", ".join(f"{q:.2f}" for q in pairs)
                verdict = f"every run {'≥' if better == 'higher' else '≤'} {target}× ({shown}) {'met' if met else 'NOT met'}"
        if bound is not None and belfry:
            met = statistics.median(belfry) < bound
            verdict = f"< {fmt(bound, unit)} {unit} {'met' if met else 'NOT met'}"
        shown_unit = "" if unit in ("/s", "%") else f" {unit}"
        extra = ""
        for server, _ in extras:
            other = [r[key] for r in runs.get((scenario, client, server), []) if r.get(key) is not None]
            versus = "—"
            if other and belfry and statistics.median(other) > 0:
                versus = f"{statistics.median(belfry) / statistics.median(other):.2f}×"
            extra += f" {cell(other, unit)} | {versus} |"
            if server in engines:
                versus_nchan = "—"
                if other and nchan and statistics.median(nchan) > 0:
                    versus_nchan = f"{statistics.median(other) / statistics.median(nchan):.2f}×"
                extra += f" {versus_nchan} |"
        print(f"| {scenario} | {label}{' (' + unit + ')' if shown_unit else ''} | {cell(nchan, unit)} | "
              f"{cell(belfry, unit)} | {ratio} | {verdict} |{extra}")
    problems = []
    for (scenario, client, server), rs in sorted(runs.items()):
        for r in rs:
            lost, failed = r.get("lost") or 0, r.get("failed") or r.get("conn_failed") or 0
            errors = r.get("pub_err") or 0
            if lost or failed or errors:
                problems.append(f"{server}/{scenario}/{client} run {r['run']}: lost {lost}, "
                                f"failed connections {failed}, publish errors {errors}")
    print()
    print("\n".join(f"- {p}" for p in problems) if problems else
          "Every run: all connections ready, every publish accepted, nothing lost.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
