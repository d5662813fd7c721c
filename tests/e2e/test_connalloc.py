"""bench/connalloc.sh: the heap allocations the server makes per connection, to connect and to close.

Runs the real script against the binary under test (LD_PRELOADed allocation counter, real
connections from `belfry bench`, the server watched through /proc), with the `connected` and
`disconnected` JSON lines at info and then without them, so the tool the allocation figures of
BENCHMARKS.md come from keeps working and counts what the server does.
"""

from __future__ import annotations

import os
import re
import subprocess

from conftest import BELFRY_BIN, REPO_ROOT, free_port


def allocations(*args: str) -> tuple[float, float]:
    env = {**os.environ, "CONNALLOC_PORT": str(free_port()), "CONNALLOC_ADMIN_PORT": str(free_port())}
    out = subprocess.run(["bash", str(REPO_ROOT / "bench" / "connalloc.sh"), "--connections", "300", *args,
                          str(BELFRY_BIN)], capture_output=True, text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    found = re.search(r"\(300 connections\): connect \(accept, upgrade, subscribe\) ([\d.]+), close ([\d.]+)",
                      out.stdout)
    assert found, out.stdout
    return float(found.group(1)), float(found.group(2))


def test_connalloc_counts_the_allocations_of_a_connection() -> None:
    connect, close = allocations()
    # Dozens to connect in a release build (57: sockets, buffers, the session, strings, the log
    # line) and a few to close (6). An unoptimized debug build boxes much more (about 1,400 and
    # 70), but not tens of thousands.
    assert 10 < connect < 5_000, (connect, close)
    assert 0 < close < 1_000, (connect, close)
    # Without the two log lines per connection the server allocates less on both sides: the
    # counter sees the server's own work.
    quiet_connect, quiet_close = allocations("--log-level", "warning")
    assert quiet_connect < connect, (connect, quiet_connect)
    assert quiet_close < close, (close, quiet_close)
