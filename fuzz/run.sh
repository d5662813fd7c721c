#!/usr/bin/env bash
# libFuzzer targets for Belfry's parsers; see fuzz/README.md.
#   fuzz/run.sh build                  build every target (release, -sanitize=fuzzer,address)
#   fuzz/run.sh run SECONDS [TARGET…]  fuzz each target for SECONDS on a scratch copy of its corpus
#   fuzz/run.sh repro TARGET FILE…     run a target once on saved inputs (a crash reproducer)
# Environment: FUZZ_JOBS (targets fuzzed at once, default 2), FUZZ_SANITIZERS (default
# fuzzer,address), FUZZ_RSS_MB (default 2048), FUZZ_TIMEOUT (seconds per input, default 10),
# FUZZ_SCRATCH (build and run directory, default .build-fuzz).
set -euo pipefail

FUZZ=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$FUZZ")
SCRATCH=${FUZZ_SCRATCH:-$ROOT/.build-fuzz}
BIN=$SCRATCH/release
TARGETS=(http1 websocket json manifest schema cluster)
JOBS=${FUZZ_JOBS:-2}

# The Swift runtime's crash backtracer holds the fuzzer's output open for minutes after a
# crash; libFuzzer and ASan print the stack themselves. Leak reports come from the Swift
# runtime and NIO's EmbeddedChannel, not from Belfry, so leak checking is off.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}
SYMBOLIZER=$(dirname "$(command -v swift)")/llvm-symbolizer
[ -x "$SYMBOLIZER" ] && export ASAN_SYMBOLIZER_PATH=$SYMBOLIZER

build() {
    # The same dependency versions as the main package (fuzz/Package.resolved is git-ignored).
    [ "$FUZZ/Package.resolved" -nt "$ROOT/Package.resolved" ] || cp "$ROOT/Package.resolved" "$FUZZ/Package.resolved"
    # Optimized, but with the standard library's debug preconditions kept (-assert-config
    # Debug): unsafe-buffer subscripts stay bounds-checked, which ASan cannot see inside a
    # ByteBuffer's spare capacity.
    swift build -c release --package-path "$FUZZ" --scratch-path "$SCRATCH" \
        -Xswiftc "-sanitize=${FUZZ_SANITIZERS:-fuzzer,address}" -Xswiftc -assert-config -Xswiftc Debug 2>&1 |
        awk '/which are unhandled/ { skip = 1; next } skip && /^    \// { next } { skip = 0 }
             !/Cannot export local symbol/' # noise: the main package's other files; ASan at link
    for target in "${TARGETS[@]}"; do
        [ -x "$BIN/fuzz-$target" ] || { echo "fuzz: fuzz-$target was not built" >&2; exit 1; }
    done
}

# Fuzzes one target on a scratch copy of its committed corpus, so `make test` never grows or
# reduces the committed one; crashes and hangs go to .build-fuzz/artifacts/TARGET/.
fuzz_one() {
    local target=$1 seconds=$2
    local work=$SCRATCH/runs/$target artifacts=$SCRATCH/artifacts/$target
    rm -rf "$work" && mkdir -p "$work" "$artifacts"
    cp -R "$FUZZ/corpus/$target" "$work/corpus"
    local dict=() status=0
    [ -f "$FUZZ/dict/$target.dict" ] && dict=(-dict="$FUZZ/dict/$target.dict")
    "$BIN/fuzz-$target" "$work/corpus" "${dict[@]}" \
        -max_total_time="$seconds" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -timeout="${FUZZ_TIMEOUT:-10}" \
        -artifact_prefix="$artifacts/" -print_final_stats=1 >"$work/log" 2>&1 || status=$?
    local stats
    stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -1 | tr -s '[:space:]' ' ' || true)
    if [ "$status" -ne 0 ]; then
        echo "fuzz-$target: FAILED (exit $status); log $work/log"
        grep -E -m1 -A30 'ERROR: libFuzzer|Fatal error|==ERROR|ALARM' "$work/log" | head -40
        grep -E 'Test unit written to' "$work/log" | sed -E "s|.*written to |  reproduce: fuzz/run.sh repro $target |"
        return 1
    fi
    echo "fuzz-$target: ok ${seconds}s; ${stats/DONE/runs;}"
}

run() {
    local seconds=${1:?usage: run.sh run SECONDS [TARGET…]}
    shift
    local targets=("$@") failed=0 running=0
    [ $# -gt 0 ] || targets=("${TARGETS[@]}")
    for target in "${targets[@]}"; do
        [ -x "$BIN/fuzz-$target" ] || { echo "fuzz: no fuzz-$target; run fuzz/run.sh build" >&2; exit 1; }
    done
    for target in "${targets[@]}"; do
        if [ "$running" -ge "$JOBS" ]; then
            wait -n || failed=1
            running=$((running - 1))
        fi
        fuzz_one "$target" "$seconds" &
        running=$((running + 1))
    done
    while [ "$running" -gt 0 ]; do
        wait -n || failed=1
        running=$((running - 1))
    done
    return "$failed"
}

repro() {
    local target=${1:?usage: run.sh repro TARGET FILE…}
    shift
    "$BIN/fuzz-$target" -runs=1 "$@"
}

case "${1:-}" in
build) build ;;
run) shift && run "$@" ;;
repro) shift && repro "$@" ;;
*) sed -n 2,8p "$0" >&2 && exit 2 ;;
esac
