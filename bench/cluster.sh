#!/usr/bin/env bash
# Belfry clustered over Redis (issue 15) against one node, on this machine.
#
#   bench/cluster.sh [--runs N] [--quick] [--out DIR] [--scenarios "a b"] [--setups "a b"]
#
# Builds nothing: runs BELFRY_BIN (default .build/release/belfry; `make bench-cluster` builds it).
# Every run starts fresh servers (and a fresh redis-server on a free loopback port) for one of
#   single  one node, no Redis
#   redis1  one node with --redis-url (the cost of being clustered, with no one to talk to)
#   split   nodes A and B; publisher on A, subscribers alternately on A and B
#   remote  nodes A and B; publisher on A, every subscriber on B (the Redis hop alone)
# and runs the same `belfry bench` workload on each. Prints deliveries/s, latency p50/p99,
# server CPU per process (nodes and redis, publish phase) and the latency each setup adds to
# `single`; writes results.jsonl and summary.md into the output directory. Nothing is pinned:
# the nodes, redis-server and the client share the machine's cores. See BENCHMARKS.md.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
RUNS=3
QUICK=0
OUT=${OUT:-/tmp/belfry-cluster}
SCENARIOS="c1k_lat c1k_max c10k_lat c10k_max"
SETUPS="single redis1 split remote"
BELFRY_BIN=${BELFRY_BIN:-$ROOT/.build/release/belfry}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
THREADS=${THREADS:-1}

while [ $# -gt 0 ]; do
    case $1 in
        --runs) RUNS=$2; shift 2 ;;
        --quick) QUICK=1; shift ;;
        --out) OUT=$2; shift 2 ;;
        --scenarios) SCENARIOS=$2; shift 2 ;;
        --setups) SETUPS=$2; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "cluster.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

[ -x "$BELFRY_BIN" ] || { echo "cluster.sh: $BELFRY_BIN not found; build it (make bench-cluster does)" >&2; exit 1; }
command -v "$REDIS_SERVER" >/dev/null || { echo "cluster.sh: $REDIS_SERVER not found (apt-get install redis-server)" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10100 ]; then
    echo "cluster.sh: open-files limit $(ulimit -n) is too low for 10,000 connections" >&2
    exit 1
fi
mkdir -p "$OUT/logs"

# ---------------------------------------------------------------- processes
WORK=$(mktemp -d /tmp/belfry-cluster.XXXXXX)
PIDS=()
cleanup() {
    stop_all
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {  # a port the kernel just handed out on 127.0.0.1 (and released)
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_port() {  # port: poll until it accepts a connection, at most 10 s
    for _ in $(seq 1 200); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "cluster.sh: nothing listens on 127.0.0.1:$1" >&2
    return 1
}

start_redis() {  # sets REDIS_PID, REDIS_PORT
    REDIS_PORT=$(free_port)
    "$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --logfile "$WORK/redis.log" --daemonize no &
    REDIS_PID=$!
    PIDS+=("$REDIS_PID")
    wait_port "$REDIS_PORT"
}

start_node() {  # name [redis-url]: sets NODE_PID, NODE_PORT
    local name=$1 data=$WORK/$1
    rm -rf "$data"; mkdir -p "$data"
    NODE_PORT=$(free_port)
    local admin
    admin=$(free_port)
    local cluster=()
    [ -n "${2:-}" ] && cluster=(--redis-url "$2" --redis-prefix "bench")
    "$BELFRY_BIN" serve --source "$HERE/config" --threads "$THREADS" --log-level warning \
        --port "$NODE_PORT" --admin-port "$admin" --data-dir "$data" "${cluster[@]}" \
        >"$OUT/logs/$RUN_NAME-$name.log" 2>&1 &
    NODE_PID=$!
    PIDS+=("$NODE_PID")
    wait_port "$NODE_PORT"
}

wait_bus() {  # n: until n nodes listen on the cluster bus, at most 10 s
    for _ in $(seq 1 200); do
        [ "$(redis-cli -p "$REDIS_PORT" pubsub numsub bench:bus | tail -1)" = "$1" ] && return 0
        sleep 0.05
    done
    echo "cluster.sh: $1 nodes did not join bench:bus" >&2
    return 1
}

stop_all() {  # TERM every process this script started, then wait for each
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    PIDS=()
}

# setup -> starts its servers; sets URL (publisher), SUBS (--subscribe-url flags, may be empty),
# SERVER_PIDS (--server-pid flags: node A first, then B, then redis) and ROLES (their names).
start_setup() {
    SUBS=(); SERVER_PIDS=(); ROLES=()
    case $1 in
        single)
            start_node a; URL=http://127.0.0.1:$NODE_PORT
            SERVER_PIDS=(--server-pid "$NODE_PID"); ROLES=(a) ;;
        redis1)
            start_redis; start_node a "redis://127.0.0.1:$REDIS_PORT"; URL=http://127.0.0.1:$NODE_PORT
            wait_bus 1
            SERVER_PIDS=(--server-pid "$NODE_PID" --server-pid "$REDIS_PID"); ROLES=(a redis) ;;
        split|remote)
            start_redis
            start_node a "redis://127.0.0.1:$REDIS_PORT"; local a_pid=$NODE_PID a_url=http://127.0.0.1:$NODE_PORT
            start_node b "redis://127.0.0.1:$REDIS_PORT"; local b_pid=$NODE_PID b_url=http://127.0.0.1:$NODE_PORT
            wait_bus 2
            URL=$a_url
            if [ "$1" = split ]; then SUBS=(--subscribe-url "$a_url" --subscribe-url "$b_url")
            else SUBS=(--subscribe-url "$b_url"); fi
            SERVER_PIDS=(--server-pid "$a_pid" --server-pid "$b_pid" --server-pid "$REDIS_PID")
            ROLES=(a b redis) ;;
        *) echo "cluster.sh: unknown setup $1" >&2; exit 2 ;;
    esac
}

# ---------------------------------------------------------------- scenarios
# name -> `belfry bench` flags: a fixed number of messages at a moderate rate (latency) and
# flat out (throughput), for 1,000 subscribers on one channel and 10,000 over 100 channels.
scenario_args() {
    local q=$QUICK
    case $1 in
        c1k_lat)  [ $q = 1 ] && echo "--connections 200 --messages 30 --rate 30" \
                             || echo "--connections 1000 --messages 300 --rate 30" ;;
        c1k_max)  [ $q = 1 ] && echo "--connections 200 --messages 200" \
                             || echo "--connections 1000 --messages 1000" ;;
        c10k_lat) [ $q = 1 ] && echo "--connections 2000 --channels 100 --messages 300 --rate 300" \
                             || echo "--connections 10000 --channels 100 --messages 3000 --rate 300" ;;
        c10k_max) [ $q = 1 ] && echo "--connections 2000 --channels 100 --messages 2000" \
                             || echo "--connections 10000 --channels 100 --messages 5000" ;;
        *) echo "cluster.sh: unknown scenario $1" >&2; exit 2 ;;
    esac
}

RESULTS=$OUT/results.jsonl
: > "$RESULTS"
echo "# $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
     "$("$REDIS_SERVER" --version | cut -d' ' -f1-3), threads per node $THREADS," \
     "belfry $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')" | tee "$OUT/machine.txt" >&2

busy_ticks() {  # CPU ticks the whole machine spent busy (all CPUs), from /proc/stat
    awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat
}

our_ticks() {  # utime+stime of the servers this script started
    local pid total=0
    for pid in "${PIDS[@]}"; do
        total=$((total + $(awk '{print $14+$15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

run_bench() {  # setup scenario run
    local setup=$1 name=$2 run=$3 line rc=0
    # Other processes' CPU during the run (a build elsewhere on this machine skews every figure):
    # the machine's busy ticks minus the servers' and the client's.
    local busy0 ours0 busy1 ours1 started ended
    busy0=$(busy_ticks); ours0=$(our_ticks); started=$(date +%s.%N)
    line=$("$BELFRY_BIN" bench --url "$URL" "${SUBS[@]}" "${SERVER_PIDS[@]}" \
        --channel-prefix "c$run" --time-limit 180 --json --quiet $(scenario_args "$name")) || rc=$?
    busy1=$(busy_ticks); ours1=$(our_ticks); ended=$(date +%s.%N)
    local pid
    for pid in "${PIDS[@]}"; do
        kill -0 "$pid" 2>/dev/null \
            || echo "cluster.sh: server $pid exited during $setup/$name run $run (logs in $OUT/logs)" >&2
    done
    [ $rc -le 1 ] || { echo "cluster.sh: belfry bench failed ($rc) on $setup/$name" >&2; return 0; }
    python3 - "$setup" "$name" "$run" "${ROLES[*]}" "$(echo "$line" | tail -1)" "$RESULTS" \
        "$((busy1 - busy0))" "$((ours1 - ours0))" "$(getconf CLK_TCK)" "$started" "$ended" <<'PY' >&2
import json, os, sys
setup, name, run, roles, line, results = sys.argv[1:7]
busy, ours, hz, started, ended = int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9]), float(sys.argv[10]), float(sys.argv[11])
r = json.loads(line)
r.update(setup=setup, scenario=name, run=int(run), roles=roles.split())
foreign = max(0.0, (busy - ours) / hz - r["client_cpu_s"])
r["foreign_cpu_share"] = foreign / ((ended - started) * os.cpu_count())
cpu = [r["srv_cpu_pub_s"]] + [r[f"srv{k}_cpu_pub_s"] for k in range(2, len(r["roles"]) + 1)]
r["cpu_by_role"] = dict(zip(r["roles"], cpu))
with open(results, "a") as f:
    f.write(json.dumps(r) + "\n")
subs = "".join(f", sub{k} p50 {r[f'sub{k}_lat_p50_us']/1000:.1f} ms" for k in (1, 2) if f"sub{k}_url" in r)
print(f"  {setup:6} {name:8} run {run}: ready {r['ready']}/{r['connections']}, delivered {r['delivered']}/{r['expected']}, "
      f"{r['deliver_rate']:.0f}/s, p50/p99 {r['lat_p50_us']/1000:.1f}/{r['lat_p99_us']/1000:.1f} ms{subs}, CPU "
      + " ".join(f"{k} {v:.2f}s" for k, v in r["cpu_by_role"].items())
      + f", other processes {100 * r['foreign_cpu_share']:.0f}% of the machine")
PY
}

for name in $SCENARIOS; do
    echo "scenario $name: $(scenario_args "$name")" >&2
    for run in $(seq 1 "$RUNS"); do
        for setup in $SETUPS; do
            RUN_NAME=$name-$setup-$run
            start_setup "$setup"
            run_bench "$setup" "$name" "$run"
            stop_all
        done
    done
done

python3 "$HERE/cluster_summary.py" "$RESULTS" "$OUT/machine.txt" | tee "$OUT/summary.md"
