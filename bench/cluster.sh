#!/usr/bin/env bash
# shoal's supervisor with N shards against a Redis Cluster of N
# redis-server processes on the same machine (built with
# `redis-cli --cluster create`), driven by the same
# `redis-benchmark --cluster` runs; prints requests/s and shoal/redis.
# Also prints shoal's start-up time to READY (all shards accepting).
#
# Environment (defaults in brackets):
#   SHARDS [number of online CPUs]   shards / redis-server nodes
#   N [1000000]          requests per run
#   CLIENTS [50]         connections (-c)
#   TESTS [set,get]      redis-benchmark tests
#   PIPELINES ["1 16"]   pipeline depths (-P)
#   KEYSPACE [100000]    -r: random keys, so every node gets traffic
#   SHOAL_BIN [bin/shoal]
#   REDIS_SERVER [redis-server]
#   KEEP_LOGS [0]        1 = keep the work directory
set -euo pipefail
cd "$(dirname "$0")/.."

SHARDS=${SHARDS:-$(nproc)}
N=${N:-1000000}
CLIENTS=${CLIENTS:-50}
TESTS=${TESTS:-set,get}
PIPELINES=${PIPELINES:-1 16}
KEYSPACE=${KEYSPACE:-100000}
SHOAL_BIN=${SHOAL_BIN:-bin/shoal}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
KEEP_LOGS=${KEEP_LOGS:-0}
HOST=127.0.0.1

for tool in redis-benchmark redis-cli "$REDIS_SERVER" "$SHOAL_BIN"; do
    command -v "$tool" >/dev/null || [[ -x $tool ]] || {
        echo "cluster.sh: $tool not found" >&2
        exit 1
    }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/shoal-cluster-bench.XXXXXX")
REDIS_PIDS=()
SHOAL_PID=

cleanup() {
    [[ -n $SHOAL_PID ]] && kill -TERM "$SHOAL_PID" 2>/dev/null || true
    for p in "${REDIS_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [[ $KEEP_LOGS == 1 ]]; then
        echo "logs kept in $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

# A run of SHARDS free ports (and their +10000 bus ports for Redis).
free_base() {
    /usr/bin/python3 - "$SHARDS" <<'EOF'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(500):
    base = random.randint(20000, 40000)
    socks = []
    try:
        for p in list(range(base, base + n)) + list(range(base + 10000, base + 10000 + n)):
            s = socket.socket(); socks.append(s); s.bind(("127.0.0.1", p))
        print(base); break
    except OSError:
        pass
    finally:
        for s in socks: s.close()
EOF
}

wait_ping() {  # port
    for _ in $(seq 300); do
        [[ $(redis-cli -p "$1" ping 2>/dev/null) == PONG ]] && return 0
        sleep 0.05
    done
    echo "cluster.sh: port $1 not answering" >&2
    return 1
}

# ---- the Redis Cluster
RBASE=$(free_base)
addrs=()
for i in $(seq 0 $((SHARDS - 1))); do
    port=$((RBASE + i))
    mkdir -p "$WORK/redis-$port"
    "$REDIS_SERVER" --port "$port" --bind $HOST --cluster-enabled yes \
        --cluster-config-file nodes.conf --dir "$WORK/redis-$port" \
        --save '' --appendonly no --logfile "$WORK/redis-$port/log" &
    REDIS_PIDS+=($!)
    addrs+=("$HOST:$port")
done
for i in $(seq 0 $((SHARDS - 1))); do wait_ping $((RBASE + i)); done
# Slots split as redis-cli --cluster create does; assigned by hand because
# redis-cli refuses fewer than 3 primaries (a 2-core machine has 2).
per=$((16384 / SHARDS)); extra=$((16384 % SHARDS)); first=0
for i in $(seq 0 $((SHARDS - 1))); do
    count=$((per + (i < extra ? 1 : 0)))
    redis-cli -p $((RBASE + i)) cluster addslotsrange $first $((first + count - 1)) >/dev/null
    redis-cli -p $((RBASE + i)) cluster set-config-epoch $((i + 1)) >/dev/null
    [[ $i -gt 0 ]] && redis-cli -p $((RBASE + i)) cluster meet $HOST "$RBASE" >/dev/null
    first=$((first + count))
done
for _ in $(seq 300); do
    redis-cli -p "$RBASE" cluster info | grep -q 'cluster_state:ok' && break
    sleep 0.1
done

# ---- shoal
SBASE=$(free_base)
mkdir -p "$WORK/shoal"
start_ns=$(date +%s%N)
"$SHOAL_BIN" --shards "$SHARDS" --port "$SBASE" --bind $HOST \
    --dir "$WORK/shoal" --save '' >"$WORK/shoal.log" 2>&1 &
SHOAL_PID=$!
for _ in $(seq 1000); do
    grep -q 'shards ready to accept connections' "$WORK/shoal.log" && break
    sleep 0.005
done
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
for i in $(seq 0 $((SHARDS - 1))); do wait_ping $((SBASE + i)); done

echo "shards: $SHARDS  requests: $N  clients: $CLIENTS  keyspace: $KEYSPACE"
echo "shoal start-up to READY: ${ready_ms} ms (supervisor log: $(grep -o 'ready to accept connections ([0-9]* ms)' "$WORK/shoal.log"))"
printf '%-8s %4s %14s %14s %7s\n' test P redis_rps shoal_rps ratio

bench() {  # port test pipeline
    redis-benchmark --cluster -h $HOST -p "$1" -t "$2" -n "$N" \
        -c "$CLIENTS" -P "$3" -r "$KEYSPACE" -q 2>/dev/null |
        tr '\r' '\n' | grep -E '^[A-Z]+: [0-9.]+ requests per second' |
        tail -1 | awk '{print $2}'
}

IFS=, read -ra tests <<<"$TESTS"
for P in $PIPELINES; do
    for t in "${tests[@]}"; do
        r=$(bench "$RBASE" "$t" "$P")
        s=$(bench "$SBASE" "$t" "$P")
        ratio=$(awk -v a="$s" -v b="$r" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else print "n/a" }')
        printf '%-8s %4s %14s %14s %7s\n' "$t" "$P" "${r:-fail}" "${s:-fail}" "$ratio"
    done
done
