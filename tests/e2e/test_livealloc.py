"""bench/livealloc.sh: what an idle subscribed connection keeps on the heap, by call site.

Runs the real script against the binary under test (LD_PRELOADed allocation tracker, real
connections from `belfry bench`, two heap dumps, the per-connection report), so the tool the
memory figures of BENCHMARKS.md come from keeps working.
"""

from __future__ import annotations

import os
import re
import subprocess

from conftest import BELFRY_BIN, REPO_ROOT, free_port


def test_livealloc_reports_what_an_idle_connection_keeps() -> None:
    env = {**os.environ, "LIVEALLOC_PORT": str(free_port()), "LIVEALLOC_ADMIN_PORT": str(free_port())}
    out = subprocess.run(["bash", str(REPO_ROOT / "bench" / "livealloc.sh"), "--connections", "300", str(BELFRY_BIN)],
                         capture_output=True, text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    total = re.search(r"per connection: (\d+) B usable in ([\d.]+) chunks", out.stdout)
    assert total, out.stdout
    usable, chunks = int(total.group(1)), float(total.group(2))
    # A few KB in a few dozen chunks: NIO's channel, pipeline and receive buffer, and Belfry's
    # session and connection (3.4 KB in 22 chunks in a release build; a debug build keeps more).
    # With BELFRY_ENGINE=epoll the channel is a 112 B StreamSocket: about 1 KB in 6 chunks.
    assert 500 < usable < 20_000, out.stdout
    assert 3 < chunks < 200, out.stdout
    # Sites are symbolized: the report names the code that allocated, Belfry's included.
    sites = [line for line in out.stdout.splitlines() if re.match(r"\s*[\d.]+ B ", line)]
    assert sites, out.stdout
    assert any("BelfryServer" in line or "WebSocketSession" in line or "Connection" in line for line in sites), \
        out.stdout
