#!/usr/bin/env bash
# Belfry vs nginx+nchan, side by side, on this machine.
#
#   bench/compare.sh [--runs N] [--quick] [--out DIR] [--scenarios "a b c"] [--before BIN] [--no-nchan] [--floor]
#                    [--nio]
#
# --before BIN also runs that belfry binary (server "before") in every run, for an A/B of a change
# against the binary before it; --no-nchan leaves nchan out (A/B only); --floor also runs
# bench/niofloor (server "floor", the wsload scenarios only): the least a SwiftNIO server does for
# the same clients, so what Belfry costs above NIO and the kernel is measured, not guessed; and
# the same floor on epoll(7) without NIO (server "epoll"), so what NIO's channel layer costs is
# measured too. Belfry runs on its default engine (`--engine auto`: BelfryEpoll on this IPv4
# address); --nio also runs it with `--engine nio` (server "bnio": SwiftNIO's channels).
#
# Installs nginx + libnginx-mod-nchan if missing, builds `belfry` (release) and, when
# ../shared/tools/wsload exists, the wsload C client for the cross-checks (fan1k_max, pub_only). Each scenario runs
# N times (default 3) against a fresh nchan and a fresh Belfry; the server is pinned to CPU 1
# and the load (`belfry bench`) to CPU 0. Prints medians, ranges and Belfry/nchan ratios, and
# writes results.jsonl + summary.md into the output directory. See BENCHMARKS.md.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
RUNS=3
QUICK=0
OUT=${OUT:-/tmp/belfry-compare}
SCENARIOS="idle10k fan1k_max fan1k_d4 fan1k_r30 fan10k_max fan10k_one pub_only ws_connect10k ws_idle10k ws_max19k ws_fan1k ws_fan10k ws_pub"
# Every server sends a ping after this many seconds of client silence (Belfry's activity timeout,
# nchan_websocket_ping_interval), so the idle scenario includes the pings.
PING_INTERVAL=30
WSLOAD_DIR=${WSLOAD_DIR:-$ROOT/../shared/tools/wsload}
NCHAN_PORT=${NCHAN_PORT:-18080}
BELFRY_PORT=${BELFRY_PORT:-16001}
SERVERS="nchan belfry"
BEFORE_BIN=""

while [ $# -gt 0 ]; do
    case $1 in
        --runs) RUNS=$2; shift 2 ;;
        --quick) QUICK=1; shift ;;
        --out) OUT=$2; shift 2 ;;
        --scenarios) SCENARIOS=$2; shift 2 ;;
        --before) BEFORE_BIN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); SERVERS="$SERVERS before"; shift 2 ;;
        --no-nchan) SERVERS=${SERVERS/nchan /}; shift ;;
        --floor) SERVERS="$SERVERS floor epoll"; shift ;;
        --nio) SERVERS="$SERVERS bnio"; shift ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

# ---------------------------------------------------------------- dependencies and builds
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=""
for p in nginx libnginx-mod-nchan gcc procps; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
    echo "installing:$missing" >&2
    sudo_if_needed apt-get update -qq
    DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq $missing >/dev/null
fi
# Debian starts a system nginx on port 80 after installing it; it is not ours and not needed.
pgrep -f "nginx: master process /usr/sbin/nginx" >/dev/null 2>&1 && sudo_if_needed nginx -s quit 2>/dev/null || true

if [ -z "${BELFRY_BIN:-}" ]; then
    (cd "$ROOT" && make --no-print-directory apt-deps && swift build -c release --product belfry >&2)
    BELFRY_BIN=$ROOT/.build/release/belfry
fi
mkdir -p "$OUT"
FLOOR_BIN=""
if [[ " $SERVERS " == *" floor "* ]]; then
    (cd "$ROOT" && swift build -c release --product niofloor >&2)
    FLOOR_BIN=$ROOT/.build/release/niofloor
fi
WSLOAD=""
if [ -f "$WSLOAD_DIR/wsload.c" ]; then
    cc -O2 -o "$OUT/wsload" "$WSLOAD_DIR/wsload.c" && WSLOAD=$OUT/wsload
else
    echo "note: $WSLOAD_DIR not found; skipping the wsload cross-check" >&2
fi

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10100 ]; then
    echo "compare.sh: open-files limit $(ulimit -n) is too low for 10,000 connections" >&2
    exit 1
fi
if [ "$(nproc)" -ge 2 ]; then
    SERVER_CPU=(taskset -c 1); LOAD_CPU=(taskset -c 0)
else
    echo "note: one CPU only; server and load share it" >&2
    SERVER_CPU=(); LOAD_CPU=()
fi

# ---------------------------------------------------------------- servers
WORK=$(mktemp -d /tmp/belfry-compare.XXXXXX)
SERVER_PID=""
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT

wait_port() {  # port: poll until it accepts a connection, at most 10 s
    for _ in $(seq 1 200); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "compare.sh: nothing listens on 127.0.0.1:$1" >&2
    return 1
}

start_nchan() {
    local pfx=$WORK/nchan
    rm -rf "$pfx"; mkdir -p "$pfx"
    sed -e "s|@PREFIX@|$pfx|g" -e "s|@PORT@|$NCHAN_PORT|g" -e "s|@PING@|$PING_INTERVAL|g" "$HERE/nchan.conf" > "$pfx/nginx.conf"
    nginx -p "$pfx" -c "$pfx/nginx.conf" 2>>"$pfx/start.log"
    wait_port "$NCHAN_PORT"
    NGINX_MASTER=$(cat "$pfx/nginx.pid")
    SERVER_PID=$(pgrep -P "$NGINX_MASTER" | head -1)
    [ ${#SERVER_CPU[@]} -gt 0 ] && taskset -pc 1 "$SERVER_PID" >/dev/null
    URL=http://127.0.0.1:$NCHAN_PORT
}

start_before() { start_belfry "$BEFORE_BIN"; }
start_bnio() { start_belfry "$BELFRY_BIN" --engine nio; }

start_belfry() {  # [binary [serve flags...]]
    local bin=${1:-$BELFRY_BIN}
    shift || true
    local data=$WORK/belfry
    rm -rf "$data"; mkdir -p "$data"
    # Logging as an operator runs it: JSON lines at info (a line per connect and disconnect).
    "${SERVER_CPU[@]}" "$bin" serve --source "$HERE/config" --threads 1 --log-format json --log-level info \
        --activity-timeout "$PING_INTERVAL" --port "$BELFRY_PORT" --admin-port $((BELFRY_PORT + 1)) --data-dir "$data" "$@" >"$data/log" 2>&1 &
    SERVER_PID=$!
    wait_port "$BELFRY_PORT"
    URL=http://127.0.0.1:$BELFRY_PORT
}

start_floor() {
    local log=$WORK/floor.log
    "${SERVER_CPU[@]}" "$FLOOR_BIN" --port "$BELFRY_PORT" --ping "$PING_INTERVAL" >"$log" 2>&1 &
    SERVER_PID=$!
    wait_port "$BELFRY_PORT"
    URL=http://127.0.0.1:$BELFRY_PORT
}

# The same floor without NIO: one thread, epoll(7) and plain system calls.
start_epoll() {
    local log=$WORK/epoll.log
    "${SERVER_CPU[@]}" "$FLOOR_BIN" --engine epoll --port "$BELFRY_PORT" --ping "$PING_INTERVAL" >"$log" 2>&1 &
    SERVER_PID=$!
    wait_port "$BELFRY_PORT"
    URL=http://127.0.0.1:$BELFRY_PORT
}

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    if [ -n "${NGINX_MASTER:-}" ]; then
        kill -QUIT "$NGINX_MASTER" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$NGINX_MASTER" 2>/dev/null || break; sleep 0.05; done
        NGINX_MASTER=""
    else
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

# ---------------------------------------------------------------- scenarios
# name -> `belfry bench` flags. Quick mode shrinks every scenario (a tool check, not figures).
scenario_args() {
    local q=$QUICK
    case $1 in
        idle10k)    [ $q = 1 ] && echo "--connections 1000 --messages 0 --hold 1" \
                               || echo "--connections 10000 --messages 0 --hold 3" ;;
        fan1k_max)  [ $q = 1 ] && echo "--connections 200 --messages 200" \
                               || echo "--connections 1000 --messages 2000" ;;
        fan1k_d4)   [ $q = 1 ] && echo "--connections 200 --messages 200 --depth 4" \
                               || echo "--connections 1000 --messages 2000 --depth 4" ;;
        fan1k_r30)  [ $q = 1 ] && echo "--connections 200 --messages 30 --rate 30" \
                               || echo "--connections 1000 --messages 600 --rate 30" ;;
        fan10k_max) [ $q = 1 ] && echo "--connections 2000 --messages 20" \
                               || echo "--connections 10000 --messages 100" ;;
        fan10k_one) [ $q = 1 ] && echo "--connections 2000 --messages 4 --rate 2" \
                               || echo "--connections 10000 --messages 10 --rate 2" ;;
        pub_only)   [ $q = 1 ] && echo "--connections 0 --messages 2000 --publishers 4 --depth 8" \
                               || echo "--connections 0 --messages 200000 --publishers 4 --depth 8" ;;
        *) echo "compare.sh: unknown scenario $1" >&2; exit 2 ;;
    esac
}

RESULTS=$OUT/results.jsonl
: > "$RESULTS"
echo "# $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
     "nginx $(nginx -v 2>&1 | cut -d/ -f2), nchan $(dpkg-query -W -f='${Version}' libnginx-mod-nchan)," \
     "belfry $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')" | tee "$OUT/machine.txt" >&2

record() {  # server scenario run client json-line
    python3 -c 'import json,sys; r=json.loads(sys.argv[5]); r.update(server=sys.argv[1], scenario=sys.argv[2], run=int(sys.argv[3]), client=sys.argv[4]); print(json.dumps(r))' \
        "$1" "$2" "$3" "$4" "$5" >> "$RESULTS"
}

run_bench() {  # server scenario run
    local server=$1 name=$2 run=$3 line rc=0
    local proto=pusher
    [ "$server" = nchan ] && proto=nchan
    line=$("${LOAD_CPU[@]}" "$BELFRY_BIN" bench --url "$URL" --protocol "$proto" --server-pid "$SERVER_PID" \
        --channel-prefix "b$run" --time-limit 120 --json --quiet $(scenario_args "$name")) || rc=$?
    [ $rc -le 1 ] || { echo "compare.sh: belfry bench failed ($rc) on $server/$name" >&2; return 0; }
    record "$server" "$name" "$run" belfry-bench "$(echo "$line" | tail -1)"
    python3 - "$server" "$name" "$run" "$(echo "$line" | tail -1)" <<'PY' >&2
import json, sys
r = json.loads(sys.argv[4])
head = f"  {sys.argv[1]:6} {sys.argv[2]:10} run {sys.argv[3]}: "
cpu = r["srv_cpu_pub_s"] or 0
if r["connections"] == 0:
    print(head + f"published {r['pub_ok']}/{r['messages']}, {r['pub_rps']:.0f} req/s, "
          f"server {r['pub_ok'] / cpu if cpu > 0 else 0:.0f} publishes/CPU-s")
elif r["messages"] == 0:
    print(head + f"ready {r['ready']}/{r['connections']}, {r['conn_rate']:.0f} conn/s, "
          f"server {r['srv_rss_per_conn_b'] or 0:.0f} B/conn")
else:
    print(head + f"ready {r['ready']}/{r['connections']}, delivered {r['delivered']}/{r['expected']}, "
          f"{r['deliver_rate']:.0f}/s, p50/p99 {r['lat_p50_us']/1000:.1f}/{r['lat_p99_us']/1000:.1f} ms, "
          f"server {r['srv_deliver_per_cpu_s'] or 0:.0f} deliveries/CPU-s")
PY
}

# name -> wsload flags (connections, groups, messages, extras). The ws_ scenarios use the C client
# (../shared/tools/wsload), which is never the bottleneck: connect cost, reconnect storm, idle
# cost, the largest connection count this machine allows, and the fan-out cross-checks.
wsload_args() {
    local q=$QUICK
    case $1 in
        ws_connect10k) [ $q = 1 ] && echo "-n 1000 -g 100 -m 0" || echo "-n 10000 -g 100 -m 0" ;;
        ws_idle10k)    [ $q = 1 ] && echo "-n 1000 -g 100 -m 0" || echo "-n 10000 -g 100 -m 0" ;;
        ws_max19k)     [ $q = 1 ] && echo "-n 2000 -g 1 -m 2" || echo "-n 19000 -g 1 -m 2" ;;
        ws_fan1k)      [ $q = 1 ] && echo "-n 200 -g 1 -m 200" || echo "-n 1000 -g 1 -m 2000" ;;
        ws_fan10k)     [ $q = 1 ] && echo "-n 2000 -g 1 -m 20" || echo "-n 10000 -g 1 -m 100" ;;
        ws_pub)        [ $q = 1 ] && echo "-n 0 -g 1 -m 2000 -C 4 -d 8 --drain 0.5" \
                                  || echo "-n 0 -g 1 -m 200000 -C 4 -d 8 --drain 0.5" ;;
        *) echo "compare.sh: unknown scenario $1" >&2; exit 2 ;;
    esac
}

kernel_kb() {  # unreclaimable slab + TCP buffer pages, in kB
    local slab pages
    slab=$(awk '/^SUnreclaim:/ {print $2}' /proc/meminfo)
    pages=$(awk '/^TCP:/ {for (i = 1; i < NF; i++) if ($i == "mem") print $(i + 1)}' /proc/net/sockstat)
    echo $(( slab + pages * $(getconf PAGESIZE) / 1024 ))
}

cpu_ticks() {  # pid: user + system clock ticks of the whole process
    awk '{print $14 + $15}' "/proc/$1/stat"
}

run_wsload() {  # server scenario run
    local server=$1 name=$2 run=$3 kv window=0 ticks=""
    local hold=() body kernel0="" kernel=""
    if [ "$name" = ws_connect10k ] || [ "$name" = ws_max19k ]; then
        # Kernel memory of the connections (both ends are on this machine): unreclaimable slab
        # (socket structures) and TCP buffer pages, before connecting and once all are ready.
        hold=(--hold-ready 2 --ready-file "$WORK/ready")
        rm -f "$WORK/ready"
        kernel0=$(kernel_kb)
    fi
    if [ "$name" = ws_idle10k ]; then
        # Idle: hold the connections past two ping intervals and count the server's CPU over a
        # window that starts a second after every connection is ready.
        window=$((2 * PING_INTERVAL + 5)); [ $QUICK = 1 ] && window=5
        hold=(--hold-ready $((window + 3)) --ready-file "$WORK/ready")
        rm -f "$WORK/ready"
    fi
    if [ "$server" = nchan ]; then
        "${LOAD_CPU[@]}" "$WSLOAD" --server-pid "$SERVER_PID" -u "ws://127.0.0.1:$NCHAN_PORT/sub/w${run}g{G}" \
            -c 500 -P "$URL/pub/w${run}g{G}" -b '{"ts":"{TS}","seq":{SEQ}}' -T 300 "${hold[@]}" \
            $(wsload_args "$name") > "$WORK/wsload.out" &
    else
        body="{\"name\":\"bench\",\"channel\":\"w${run}g{G}\",\"data\":\"{\\\"ts\\\":\\\"{TS}\\\",\\\"seq\\\":{SEQ}}\"}"
        "${LOAD_CPU[@]}" "$WSLOAD" --server-pid "$SERVER_PID" \
            -u "ws://127.0.0.1:$BELFRY_PORT/app/app-key?protocol=7&client=wsload&version=1" -c 500 \
            -s "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"w${run}g{G}\"}}" \
            -w pusher_internal:subscription_succeeded \
            -P "$URL/apps/app-id/events" --pusher-key app-key --pusher-secret app-secret -b "$body" \
            -T 300 "${hold[@]}" $(wsload_args "$name") > "$WORK/wsload.out" &
    fi
    local load=$!
    if [ -n "$kernel0" ]; then
        for _ in $(seq 1 1200); do [ -f "$WORK/ready" ] && break; kill -0 $load 2>/dev/null || break; sleep 0.1; done
        [ -f "$WORK/ready" ] && kernel=$(( $(kernel_kb) - kernel0 ))
    fi
    if [ "$window" -gt 0 ]; then
        for _ in $(seq 1 1200); do [ -f "$WORK/ready" ] && break; kill -0 $load 2>/dev/null || break; sleep 0.1; done
        if [ -f "$WORK/ready" ]; then
            sleep 1
            local t0; t0=$(cpu_ticks "$SERVER_PID")
            sleep "$window"
            ticks=$(( $(cpu_ticks "$SERVER_PID") - t0 ))
        fi
    fi
    wait $load || true
    kv=$(tail -1 "$WORK/wsload.out")
    [ -n "$ticks" ] && kv="$kv idle_window_s=$window idle_cpu_ticks=$ticks clk_tck=$(getconf CLK_TCK)"
    [ -n "$kernel" ] && kv="$kv kernel_kb_both_ends=$kernel"
    record "$server" "$name" "$run" wsload "$(python3 -c '
import json, sys
out = {}
for kv in sys.argv[1].split():
    k, _, v = kv.partition("=")
    try: out[k] = float(v) if "." in v else int(v)
    except ValueError: out[k] = v
print(json.dumps(out))' "$kv")"
    echo "  $server $name run $run: $(echo "$kv" | tr ' ' '\n' | grep -E \
        '^(ready|conn_rate|srv_rss_per_conn_b|srv_cpu_connect_s|delivered|expected|pub_rps|lat_p99_us|srv_deliver_per_cpu_s|idle_cpu_ticks|kernel_kb_both_ends)=' \
        | tr '\n' ' ')" >&2
}

for name in $SCENARIOS; do
    case $name in
        ws_*)
            if [ -z "$WSLOAD" ]; then echo "scenario $name: skipped (no wsload)" >&2; continue; fi
            echo "scenario $name (wsload): $(wsload_args "$name")" >&2 ;;
        *) echo "scenario $name: $(scenario_args "$name")" >&2 ;;
    esac
    for run in $(seq 1 "$RUNS"); do
        for server in $SERVERS; do
            # The floors speak only what wsload asks (not `belfry bench`'s channels and checks).
            [[ $server == floor || $server == epoll ]] && [[ $name != ws_* ]] && continue
            "start_$server"
            case $name in ws_*) run_wsload "$server" "$name" "$run" ;; *) run_bench "$server" "$name" "$run" ;; esac
            stop_server
        done
    done
done

python3 "$HERE/summarize.py" "$RESULTS" "$OUT/machine.txt" | tee "$OUT/summary.md"
