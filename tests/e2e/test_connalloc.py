"""bench/connalloc.sh: the heap allocations the server makes per connection, to connect and to close.

Runs the real script against the binary under test (LD_PRELOADed allocation counter, real
connections from `belfry bench`, the server watched through /proc), with JSON lines at info and
then at debug (a `subscribed` line per connection more), so the tool the allocation figures of
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
    # Dozens to connect in a release build (47: sockets, buffers, the session, strings, the log
    # line's fields) and none to close. An unoptimized debug build boxes much more (about 1,400
    # and 70), but not tens of thousands.
    assert 10 < connect < 5_000, (connect, close)
    assert 0 <= close < 1_000, (connect, close)
    # At debug each subscribe also logs a `subscribed` line through swift-log (its metadata
    # dictionary and strings): more allocations to connect, so the counter sees the server's own
    # work. (The `connected` and `disconnected` lines themselves cost about one allocation now,
    # within the count's noise in a debug build, so leaving them out is no test.)
    debug_connect, debug_close = allocations("--log-level", "debug")
    assert debug_connect > connect + 2, (connect, debug_connect)
    assert 0 <= debug_close < 1_000, (close, debug_close)
