#!/usr/bin/env bash
# What an idle subscribed connection keeps on the heap, by call site.
#
#   bench/livealloc.sh [--connections N] [BELFRY_BIN]
#
# Builds bench/livealloc/livealloc.so, starts the server with it preloaded (release build by
# default: .build/release/belfry), opens 200 connections as a warm-up, dumps the live heap,
# opens N more (default 2000) with `belfry bench` and dumps again while they are held, then
# prints the difference per connection by call site (bench/livealloc/report.py). Figures and a
# reading of them are in BENCHMARKS.md ("Issue 18").
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=2000
while [ $# -gt 0 ]; do
    case $1 in
        --connections) N=$2; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) BELFRY_BIN=$1; shift ;;
    esac
done
BELFRY_BIN=${BELFRY_BIN:-$ROOT/.build/release/belfry}
PORT=${LIVEALLOC_PORT:-16101}
ADMIN_PORT=${LIVEALLOC_ADMIN_PORT:-$((PORT + 1))}
WORK=$(mktemp -d /tmp/belfry-livealloc.XXXXXX)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

for tool in curl python3; do
    command -v "$tool" >/dev/null || { echo "livealloc.sh: needs $tool" >&2; exit 1; }
done
# The C compiler: $CC, else cc, else the Swift toolchain's clang (a machine may have only that).
CC=${CC:-$(command -v cc || command -v clang)}
"$CC" -shared -fPIC -O2 -o "$WORK/livealloc.so" "$HERE/livealloc/livealloc.c" -ldl -lpthread
mkdir "$WORK/data"
LIVEALLOC_OUT=$WORK/dump LD_PRELOAD=$WORK/livealloc.so "$BELFRY_BIN" serve --source "$HERE/config" --threads 1 \
    --port "$PORT" --admin-port "$ADMIN_PORT" --data-dir "$WORK/data" --log-level warning >"$WORK/log" 2>&1 &
SERVER=$!

connected() { curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" | awk '/^belfry_connected\{/ {s += $2} END {print s + 0}'; }
fail() {  # message: say why, with the end of the server's log
    echo "livealloc.sh: $1" >&2
    echo "--- the server's log (last 20 lines) ---" >&2
    tail -n 20 "$WORK/log" >&2
    exit 1
}
wait_for() {  # what command: poll up to 120 s, while the server runs
    for _ in $(seq 1 1200); do
        eval "$2" && return 0
        if ! kill -0 "$SERVER" 2>/dev/null; then
            status=0
            wait "$SERVER" || status=$?
            fail "the server exited (status $status) while waiting for $1"
        fi
        sleep 0.1
    done
    fail "timed out waiting for $1"
}
dump() {  # n: ask for a dump, make an allocation happen, wait for the file
    kill -USR2 "$SERVER"
    curl -s "http://127.0.0.1:$ADMIN_PORT/healthz" >/dev/null
    wait_for "dump $1" "[ -s '$WORK/dump.$1.maps' ]"
}

wait_for "the server" "curl -sf http://127.0.0.1:$ADMIN_PORT/healthz >/dev/null"
"$BELFRY_BIN" bench --url "http://127.0.0.1:$PORT" --connections 200 --messages 0 --quiet >/dev/null
wait_for "the warm-up connections to close" '[ "$(connected)" = 0 ]'
dump 0
"$BELFRY_BIN" bench --url "http://127.0.0.1:$PORT" --connections "$N" --messages 0 --hold 600 --quiet >/dev/null &
CLIENT=$!
wait_for "$N connections" '[ "$(connected)" = "$N" ]'
dump 1
kill "$CLIENT" 2>/dev/null || true
python3 "$HERE/livealloc/report.py" "$WORK/dump.0" "$WORK/dump.1" "$N"
