#!/usr/bin/env python3
"""Live heap bytes per connection by call site, from two livealloc dumps.

    python3 bench/livealloc/report.py BEFORE AFTER CONNECTIONS

AFTER.maps (written with AFTER) locates each return address in its binary; sites are
symbolized with addr2line (the binary's debug info) and demangled with `swift demangle`.
Allocator and runtime frames are skipped, so each line names the code that allocated. "usable"
includes malloc's per-chunk header: it is what RSS pays.
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict

SKIP = ("swift_allocObject", "swift_slowAlloc", "malloc", "swift::", "_swift", "posix_memalign",
        "swift_allocBox", "_allocateStringStorage")


def load(path: str) -> dict[tuple[str, ...], tuple[int, int, int]]:
    """site (return addresses) -> (requested bytes, chunks, usable bytes)."""
    sites = {}
    for line in open(path):
        parts = line.split()
        sites[tuple(parts[3:])] = (int(parts[0]), int(parts[1]), int(parts[2]))
    return sites


def regions(maps: str) -> list[tuple[int, int, int, str]]:
    out = []
    for line in open(maps):
        parts = line.split()
        if len(parts) >= 6:
            low, high = (int(x, 16) for x in parts[0].split("-"))
            out.append((low, high, int(parts[2], 16), parts[5]))
    return out


def symbolizer(maps: str):
    table, cache = regions(maps), {}

    def symbol(address: str) -> str:
        if address not in cache:
            x, name = int(address, 16), "?"
            for low, high, offset, path in table:
                if low <= x < high:
                    found = subprocess.run(["addr2line", "-f", "-e", path, hex(x - low + offset - 1)],
                                           capture_output=True, text=True).stdout.split("\n")[0]
                    name = found if found not in ("", "??") else f"{path.rsplit('/', 1)[-1]}+{x - low + offset:#x}"
                    break
            cache[address] = name
        return cache[address]

    return symbol


def main() -> int:
    before, after, connections = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
    symbol = symbolizer(sys.argv[2] + ".maps")
    diff = defaultdict(lambda: [0, 0, 0])
    for site in set(before) | set(after):
        a, b = before.get(site, (0, 0, 0)), after.get(site, (0, 0, 0))
        delta = [b[i] - a[i] for i in range(3)]
        if any(delta):
            diff[site] = delta
    total = [sum(v[i] for v in diff.values()) / connections for i in range(3)]
    print(f"per connection: {total[2]:.0f} B usable in {total[1]:.1f} chunks ({total[0]:.0f} B requested)")
    rows = sorted(diff.items(), key=lambda kv: -kv[1][2])[:40]
    names = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(
        symbol(frame) for site, _ in rows for frame in site), capture_output=True, text=True).stdout.split("\n")
    index = 0
    for site, (_, chunks, usable) in rows:
        frames, index = names[index:index + len(site)], index + len(site)
        if abs(usable) / connections < 2:
            continue
        shown = [f[:90] for f in frames if f and not any(s in f for s in SKIP)][:3]
        print(f"{usable / connections:7.1f} B {chunks / connections:5.2f} chunks | " + " < ".join(shown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
