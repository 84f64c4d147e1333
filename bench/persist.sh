#!/usr/bin/env bash
# AOF write throughput, shoal vs redis-server side by side: the same
# redis-benchmark SET and INCR runs (-P 1 and -P 16) against both servers,
# each with appendonly yes, for appendfsync always and everysec; prints
# requests/s and the shoal/redis ratio.
#
# Environment (defaults in brackets):
#   N [200000]           requests per run
#   CLIENTS [50]         connections (-c)
#   TESTS [set,incr]     redis-benchmark tests
#   PIPELINES ["1 16"]   pipeline depths (-P)
#   FSYNCS ["always everysec"]  appendfsync policies
#   SHOAL_BIN [bin/shoal]
#   REDIS_SERVER [redis-server]
#   PORT_BASE [6890]     shoal on PORT_BASE, redis on PORT_BASE+1
#   KEEP_LOGS [0]        1 = keep the work directory
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-200000}
CLIENTS=${CLIENTS:-50}
TESTS=${TESTS:-set,incr}
PIPELINES=${PIPELINES:-1 16}
FSYNCS=${FSYNCS:-always everysec}
SHOAL_BIN=${SHOAL_BIN:-bin/shoal}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
PORT_BASE=${PORT_BASE:-6890}
KEEP_LOGS=${KEEP_LOGS:-0}
HOST=127.0.0.1
SHOAL_PORT=$PORT_BASE
REDIS_PORT=$((PORT_BASE + 1))

for tool in redis-benchmark redis-cli "$REDIS_SERVER" "$SHOAL_BIN"; do
    command -v "$tool" >/dev/null || [[ -x $tool ]] || {
        echo "persist.sh: $tool not found" >&2
        exit 1
    }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/shoal-persist-bench.XXXXXX")
PIDS=()

stop_all() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    PIDS=()
}

cleanup() {
    stop_all
    if [[ $KEEP_LOGS == 1 ]]; then
        echo "logs kept in $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

wait_ready() {
    local port=$1
    for _ in $(seq 1 200); do
        if redis-cli -h $HOST -p "$port" ping 2>/dev/null | grep -q PONG; then
            return 0
        fi
        sleep 0.05
    done
    echo "persist.sh: server on port $port did not start" >&2
    exit 1
}

# start <name> <fsync>: a fresh directory per run for both servers.
start_servers() {
    local fsync=$1
    rm -rf "$WORK/shoal" "$WORK/redis"
    mkdir -p "$WORK/shoal" "$WORK/redis"
    "$SHOAL_BIN" shard --port $SHOAL_PORT --bind $HOST --save '' \
        --dir "$WORK/shoal" --appendonly yes --appendfsync "$fsync" \
        >"$WORK/shoal/log" 2>&1 &
    PIDS+=($!)
    "$REDIS_SERVER" --port $REDIS_PORT --bind $HOST --save '' \
        --dir "$WORK/redis" --appendonly yes --appendfsync "$fsync" \
        --daemonize no >"$WORK/redis/log" 2>&1 &
    PIDS+=($!)
    wait_ready $SHOAL_PORT
    wait_ready $REDIS_PORT
}

# rps <port> <test> <pipeline>: requests per second of one run.
rps() {
    redis-benchmark -h $HOST -p "$1" -n "$N" -c "$CLIENTS" -P "$3" \
        -t "$2" -r 100000 --csv -q 2>/dev/null |
        awk -F'","' 'NR > 1 || !/^"test"/ { gsub(/"/, "", $2); print $2; exit }'
}

printf '%-10s %-6s %-4s %14s %14s %8s\n' fsync test P shoal_rps redis_rps ratio
for fsync in $FSYNCS; do
    start_servers "$fsync"
    for t in ${TESTS//,/ }; do
        for p in $PIPELINES; do
            s=$(rps $SHOAL_PORT "$t" "$p")
            r=$(rps $REDIS_PORT "$t" "$p")
            ratio=$(awk -v s="$s" -v r="$r" \
                'BEGIN { if (r > 0) printf "%.2f", s / r; else print "-" }')
            printf '%-10s %-6s %-4s %14s %14s %8s\n' "$fsync" "$t" "$p" \
                "$s" "$r" "$ratio"
        done
    done
    stop_all
done
