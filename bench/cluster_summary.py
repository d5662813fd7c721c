#!/usr/bin/env python3
"""Summarise bench/cluster.sh results as Markdown: medians [ranges] per scenario and setup, and
the latency each clustered setup adds to one node without Redis.

    python3 bench/cluster_summary.py results.jsonl [machine.txt]

Each line of results.jsonl is one run's `belfry bench --json` report tagged with setup,
scenario, run, roles (the processes behind --server-pid, in order) and cpu_by_role.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict

SETUPS = ["single", "redis1", "split", "remote"]
SETUP_LABEL = {
    "single": "(a) one node",
    "redis1": "(b) one node + Redis",
    "split": "(c) A+B, subs split",
    "remote": "(d) A+B, subs on B",
}


def agg(values: list[float], fmt) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    med = statistics.median(values)
    if len(values) == 1:
        return fmt(med)
    return f"{fmt(med)} [{fmt(min(values))}–{fmt(max(values))}]"


def k(x: float) -> str:
    return f"{x / 1000:.1f}k"


def ms(x: float) -> str:
    return f"{x / 1000:.2f}"


def sec(x: float) -> str:
    return f"{x:.2f}"


def signed_ms(x: float) -> str:
    return f"{x / 1000:+.2f}"


def main() -> None:
    runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    if len(sys.argv) > 2:
        print(open(sys.argv[2]).read().strip().lstrip("# "))
        print()
    by = defaultdict(list)
    for r in runs:
        by[(r["scenario"], r["setup"])].append(r)
    scenarios = list(dict.fromkeys(r["scenario"] for r in runs))
    for scenario in scenarios:
        sample = next(r for r in runs if r["scenario"] == scenario)
        pace = f"{sample['rate']:.0f} msg/s" if sample["rate"] else "flat out"
        print(f"### {scenario}: {sample['connections']:,} subscribers on {sample['channels']} channel(s), "
              f"{sample['messages']:,} messages {pace}")
        print()
        print("| setup | delivered / expected | deliveries/s | p50 (ms) | p99 (ms) | CPU A (s) | CPU B (s) "
              "| CPU redis (s) | deliveries per node CPU-s | sub A / sub B p50 (ms) |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for setup in SETUPS:
            rs = by.get((scenario, setup))
            if not rs:
                continue
            delivered = f"{sum(r['delivered'] for r in rs):,} / {sum(r['expected'] for r in rs):,}"
            cpu = {role: [r["cpu_by_role"].get(role) for r in rs] for role in ("a", "b", "redis")}
            per_cpu = []
            for r in rs:
                node_cpu = (r["cpu_by_role"].get("a") or 0) + (r["cpu_by_role"].get("b") or 0)
                per_cpu.append(r["delivered"] / node_cpu if node_cpu > 0 else None)
            subs = "–"
            if setup == "split":
                subs = agg([r["sub1_lat_p50_us"] for r in rs], ms) + " / " + agg([r["sub2_lat_p50_us"] for r in rs], ms)
            print(f"| {SETUP_LABEL[setup]} | {delivered} | {agg([r['deliver_rate'] for r in rs], k)} "
                  f"| {agg([r['lat_p50_us'] for r in rs], ms)} | {agg([r['lat_p99_us'] for r in rs], ms)} "
                  f"| {agg(cpu['a'], sec)} | {agg(cpu['b'], sec)} | {agg(cpu['redis'], sec)} "
                  f"| {agg(per_cpu, k)} | {subs} |")
        print()
        base = by.get((scenario, "single"))
        if not base:
            continue
        p50 = statistics.median(r["lat_p50_us"] for r in base)
        p99 = statistics.median(r["lat_p99_us"] for r in base)
        rows = []
        for setup in ("redis1", "split", "remote"):
            rs = by.get((scenario, setup))
            if rs:
                rows.append((SETUP_LABEL[setup] + " − (a)",
                             signed_ms(statistics.median(r["lat_p50_us"] for r in rs) - p50),
                             signed_ms(statistics.median(r["lat_p99_us"] for r in rs) - p99)))
        split = by.get((scenario, "split"))
        if split:
            rows.append(("(c) in-run: subs on B − subs on A",
                         signed_ms(statistics.median(r["sub2_lat_p50_us"] - r["sub1_lat_p50_us"] for r in split)),
                         signed_ms(statistics.median(r["sub2_lat_p99_us"] - r["sub1_lat_p99_us"] for r in split))))
        if rows:
            print("| added latency of the Redis hop | p50 (ms) | p99 (ms) |")
            print("|---|---|---|")
            for label, a, b in rows:
                print(f"| {label} | {a} | {b} |")
            print()
    shares = [r["foreign_cpu_share"] for r in runs if "foreign_cpu_share" in r]
    if shares:
        busy = [r for r in runs if r.get("foreign_cpu_share", 0) > 0.05]
        print(f"Other processes used {100 * statistics.median(shares):.0f}% of the machine's CPU during a run "
              f"(median; max {100 * max(shares):.0f}%); {len(busy)} of {len(runs)} runs had more than 5%.")
        print()
    lost = [r for r in runs if r["delivered"] != r["expected"] or r["ready"] != r["connections"]
            or r["pub_ok"] != r["messages"]]
    if lost:
        print("Runs that lost messages, connections or publishes:")
        for r in lost:
            print(f"- {r['setup']} {r['scenario']} run {r['run']}: ready {r['ready']}/{r['connections']}, "
                  f"published {r['pub_ok']}/{r['messages']}, delivered {r['delivered']}/{r['expected']}")
    else:
        print("Every run: all connections ready, every publish accepted, nothing lost or duplicated.")


if __name__ == "__main__":
    main()
