#!/usr/bin/env bash
# Heap allocations per connection: how many the server makes to accept, upgrade and subscribe
# a connection, and to close it.
#
#   bench/connalloc.sh [--connections N] [--log-level LEVEL] [BELFRY_BIN]
#
# Builds bench/connalloc/mcount.c (an allocation counter) and starts the server with it
# preloaded (release build by default: .build/release/belfry), one event loop, JSON log lines at
# `info` as an operator runs it (--log-level changes that). 200 connections warm it up; then
# `belfry bench` opens N more (default 2000), each subscribed to one of 100 channels, holds them
# and closes them. The server is only watched from /proc (its open descriptors and CPU time),
# never asked, so the counts are the connections' alone. Each phase ends once the server has
# every socket open (or closed) and its CPU time has stood still for half a second. Figures and
# a reading of them are in BENCHMARKS.md ("Issue 18").
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=2000
LEVEL=info
while [ $# -gt 0 ]; do
    case $1 in
        --connections) N=$2; shift 2 ;;
        --log-level) LEVEL=$2; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) BELFRY_BIN=$1; shift ;;
    esac
done
BELFRY_BIN=${BELFRY_BIN:-$ROOT/.build/release/belfry}
PORT=${CONNALLOC_PORT:-16111}
ADMIN_PORT=${CONNALLOC_ADMIN_PORT:-$((PORT + 1))}
WORK=$(mktemp -d /tmp/belfry-connalloc.XXXXXX)
SERVER=""
CLIENT=""
cleanup() {
    [ -n "$CLIENT" ] && kill "$CLIENT" 2>/dev/null
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

command -v python3 >/dev/null || { echo "connalloc.sh: needs python3" >&2; exit 1; }
# The C compiler: $CC, else cc, else the Swift toolchain's clang (a machine may have only that).
CC=${CC:-$(command -v cc || command -v clang)}
"$CC" -shared -fPIC -O2 -o "$WORK/mcount.so" "$HERE/connalloc/mcount.c"
mkdir "$WORK/data"
CONNALLOC_OUT=$WORK/counts LD_PRELOAD=$WORK/mcount.so "$BELFRY_BIN" serve --source "$HERE/config" --threads 1 \
    --port "$PORT" --admin-port "$ADMIN_PORT" --data-dir "$WORK/data" --log-format json --log-level "$LEVEL" \
    >"$WORK/log" 2>&1 &
SERVER=$!

fail() {  # message: say why, with the end of the server's log
    echo "connalloc.sh: $1" >&2
    echo "--- the server's log (last 20 lines) ---" >&2
    tail -n 20 "$WORK/log" >&2
    exit 1
}
descriptors() { find "/proc/$SERVER/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat" 2>/dev/null; }
settle() {  # what test: poll up to 120 s until test holds and the server's CPU time stands still
    local last="" now
    for _ in $(seq 1 240); do
        kill -0 "$SERVER" 2>/dev/null || fail "the server exited while waiting for $1"
        now=$(cpu)
        if eval "$2" && [ "$now" = "$last" ]; then return 0; fi
        last=$now
        sleep 0.5
    done
    fail "timed out waiting for $1"
}
count() {  # n: the allocations so far, as line n of the counts file
    kill -USR2 "$SERVER"
    for _ in $(seq 1 100); do
        [ "$(wc -l <"$WORK/counts" 2>/dev/null || echo 0)" -ge "$1" ] && { sed -n "${1}p" "$WORK/counts"; return; }
        sleep 0.05
    done
    fail "no count from the server"
}

for _ in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    kill -0 "$SERVER" 2>/dev/null || fail "the server exited while starting"
    sleep 0.1
done
"$BELFRY_BIN" bench --url "http://127.0.0.1:$PORT" --connections 200 --channels 100 --messages 0 --quiet >/dev/null
settle "the warm-up connections to close" true
BASE=$(descriptors)
before=$(count 1)
"$BELFRY_BIN" bench --url "http://127.0.0.1:$PORT" --connections "$N" --channels 100 --messages 0 --hold 600 \
    --quiet >/dev/null &
CLIENT=$!
settle "$N connections" '[ "$(descriptors)" -ge $((BASE + N)) ]'
open=$(count 2)
kill "$CLIENT" 2>/dev/null || true
wait "$CLIENT" 2>/dev/null || true
CLIENT=""
settle "the connections to close" '[ "$(descriptors)" -le "$BASE" ]'
closed=$(count 3)
python3 - "$before" "$open" "$closed" "$N" <<'PY'
import sys
before, opened, closed, n = (int(x) for x in sys.argv[1:])
print(f"heap allocations per connection ({n} connections): "
      f"connect (accept, upgrade, subscribe) {(opened - before) / n:.1f}, close {(closed - opened) / n:.1f}")
PY
