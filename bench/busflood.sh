#!/usr/bin/env bash
# A publisher on one node outpacing the fan-out of another (the cluster bus's pacing, issue 18).
#
#   bench/busflood.sh [BELFRY_BIN] [MESSAGES] [CONNECTIONS]
#
# Starts a redis-server and two nodes, A and B (--threads 1, --log-level warning, bench/config) on
# fixed loopback ports (16011/16021, redis 16379). `belfry bench` publishes MESSAGES (default
# 100000) flat out through A (4 publishers x depth 16; A has no subscribers, so nothing paces them)
# to one channel with CONNECTIONS subscribers (default 5000), all on B. Prints bench's table, then
# B's RSS and the largest Redis output buffer (omem: what Redis holds for a subscriber that is not
# reading) once a second, and how often B stopped reading the bus. Nothing is pinned. BENCHMARKS.md
# ("Issue 18, thirteenth step") has the figures before and after the pacing.
set -euo pipefail
BIN=${1:-.build/release/belfry}
MESSAGES=${2:-100000}
CONNECTIONS=${3:-5000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$DIR"
}
trap cleanup EXIT
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

redis-server --port 16379 --save '' --appendonly no > "$DIR/redis.log" 2>&1 &
PIDS+=($!)
wait_port 16379
for node in a:16011 b:16021; do
    name=${node%%:*} port=${node##*:}
    mkdir -p "$DIR/$name"
    "$BIN" serve --source "$ROOT/bench/config" --threads 1 --log-level warning --port "$port" \
        --admin-port $((port + 1)) --data-dir "$DIR/$name" --redis-url redis://127.0.0.1:16379 > "$DIR/$name.log" 2>&1 &
    PIDS+=($!)
done
B=${PIDS[2]}
wait_port 16011
wait_port 16021
sleep 2 # both nodes in the cluster
(
    while kill -0 "$B" 2>/dev/null; do
        rss=$(awk '/VmRSS/ { print $2 }' "/proc/$B/status")
        omem=$(redis-cli -p 16379 client list 2>/dev/null | grep -o 'omem=[0-9]*' | cut -d= -f2 | sort -n | tail -1)
        echo "$(date +%s) $rss ${omem:-0}"
        sleep 1
    done
) > "$DIR/samples" &
PIDS+=($!)
"$BIN" bench --url http://127.0.0.1:16011 --subscribe-url http://127.0.0.1:16021 --connections "$CONNECTIONS" \
    --messages "$MESSAGES" --publishers 4 --depth 16 --server-pid "$B" --quiet || true
echo
echo "B's RSS (kB) and Redis's largest output buffer (bytes), once a second:"
awk 'NR == 1 { t0 = $1 } { printf "  t=%3ds rss=%7d omem=%9d\n", $1 - t0, $2, $3 }' "$DIR/samples"
echo "B's RSS peak: $(sort -k2 -n "$DIR/samples" | tail -1 | awk '{ print $2 }') kB"
echo "Redis closed a subscriber past its output buffer limit: $(grep -c 'output buffer limits' "$DIR/redis.log" || true) times"
echo "B's rejections (a subscriber past its outbound budget is closed with 4100):"
curl -s http://127.0.0.1:16022/metrics | grep '^belfry_rejections_total' | sed 's/^/  /' || echo "  none"
echo "B stopped reading the bus: $(curl -s http://127.0.0.1:16022/metrics | awk '/^belfry_cluster_bus_pauses_total/ { print $2 }') times"
