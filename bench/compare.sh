#!/usr/bin/env bash
# Benchmark shoal against redis-server side by side: same redis-benchmark
# parameters for both, then memory for the same data set; prints ratios.
#
# Environment (defaults in brackets):
#   N [1000000]          requests per benchmark run
#   CLIENTS [50]         parallel connections (-c)
#   TESTS [set,get,incr,mset,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,
#          zpopmin,lrange_100,lrange_600]  redis-benchmark tests, one run each
#   XADD [1]             also run `XADD s * f v` as a custom command
#   EXTRA [evalsha,multi3,publish10]  more runs: EVALSHA of a small script
#                        (an INCR and a GET), MULTI/EXEC of 3 commands
#                        (bench/txbench.c; rps = transactions/s), PUBLISH
#                        with 10 subscribers connected; "" skips them
#   TYPES_N [1000000]    elements for the data-type memory comparison
#                        (bench/memory_types.py); 0 skips it
#   PIPELINES ["1 16"]   pipeline depths (-P) to try
#   KEYSPACE []          if set, passed as -r (random keys in that range)
#   POPULATE [1000000]   keys for the memory comparison (DEBUG POPULATE)
#   SHOAL_BIN [bin/shoal]  shoal binary; a redis-server path runs redis on
#                        both sides (to check this script)
#   REDIS_SERVER [redis-server]  the reference server
#   BENCH_TIMEOUT [900]  seconds before one redis-benchmark run is abandoned
#   KEEP_LOGS [0]        1 = keep the work directory with both server logs
#
# Exits 1 (after printing what it could) if shoal was down or died.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
CLIENTS=${CLIENTS:-50}
TESTS=${TESTS:-set,get,incr,mset,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_600}
XADD=${XADD:-1}
EXTRA=${EXTRA-evalsha,multi3,publish10}
TYPES_N=${TYPES_N:-1000000}
PIPELINES=${PIPELINES:-1 16}
KEYSPACE=${KEYSPACE:-}
POPULATE=${POPULATE:-1000000}
SHOAL_BIN=${SHOAL_BIN:-bin/shoal}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-900}
KEEP_LOGS=${KEEP_LOGS:-0}
HOST=127.0.0.1

for tool in redis-benchmark redis-cli "$REDIS_SERVER"; do
    if ! command -v "$tool" >/dev/null; then
        echo "compare.sh: $tool not found (Debian packages redis-server, redis-tools)" >&2
        exit 1
    fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/shoal-bench.XXXXXX")
declare -A PID=() PORT=() UP=()
SUBSCRIBERS=()
FAILED=0

stop_server() {  # name
    local pid=${PID[$1]:-}
    [[ -n $pid ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "compare.sh: $1 ignored SIGTERM for 10 s; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || true
    PID[$1]=""
}

cleanup() {
    for p in "${SUBSCRIBERS[@]}"; do kill "$p" 2>/dev/null || true; done
    stop_server redis
    stop_server shoal
    if [[ $KEEP_LOGS == 1 || $FAILED == 1 ]]; then
        echo "logs kept in $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cli() {  # name args...
    local name=$1
    shift
    redis-cli -h "$HOST" -p "${PORT[$name]}" "$@"
}

is_up() {  # name; a server that stops answering is marked down for good
    [[ ${UP[$1]:-0} == 1 ]] || return 1
    if kill -0 "${PID[$1]}" 2>/dev/null && [[ $(cli "$1" PING 2>/dev/null) == PONG ]]; then
        return 0
    fi
    echo "compare.sh: $1 stopped answering; log: $WORK/$1.log" >&2
    UP[$1]=0
    FAILED=1
    return 1
}

start_server() {  # name command...
    local name=$1 port
    shift
    port=$(free_port)
    PORT[$name]=$port
    UP[$name]=0
    mkdir -p "$WORK/$name"
    local argv=("$@")
    argv=("${argv[@]//@PORT@/$port}")
    argv=("${argv[@]//@DIR@/$WORK/$name}")
    echo "$name: ${argv[*]@Q}" >"$WORK/$name.log"
    "${argv[@]}" >>"$WORK/$name.log" 2>&1 &
    PID[$name]=$!
    for _ in $(seq 200); do
        if ! kill -0 "${PID[$name]}" 2>/dev/null; then
            break
        fi
        if [[ $(cli "$name" PING 2>/dev/null) == PONG ]]; then
            UP[$name]=1
            return 0
        fi
        sleep 0.05
    done
    echo "compare.sh: $name failed to start on port $port; last log lines:" >&2
    tail -n 20 "$WORK/$name.log" >&2
    stop_server "$name"
    FAILED=1
    return 1
}

redis_argv=("$REDIS_SERVER" --port @PORT@ --bind "$HOST" --save '' --appendonly no
            --dir @DIR@ --daemonize no --enable-debug-command yes)
if [[ $(basename "$SHOAL_BIN") == redis-server* ]]; then
    shoal_argv=("$SHOAL_BIN" --port @PORT@ --bind "$HOST" --save '' --appendonly no
                --dir @DIR@ --daemonize no --enable-debug-command yes)
else
    shoal_argv=("$SHOAL_BIN" shard --port @PORT@ --bind "$HOST" --save '' --dir @DIR@
                --enable-debug-command yes)
    if [[ $SHOAL_BIN == bin/shoal && ! -x bin/shoal ]]; then
        echo "bin/shoal missing: running make" >&2
        make >&2 || echo "compare.sh: make failed; benchmarking redis-server only" >&2
    fi
fi

start_server redis "${redis_argv[@]}" || { echo "compare.sh: cannot run without redis-server" >&2; exit 1; }
if [[ -x $SHOAL_BIN ]] || command -v "$SHOAL_BIN" >/dev/null; then
    start_server shoal "${shoal_argv[@]}" || true
else
    echo "compare.sh: $SHOAL_BIN not found; benchmarking redis-server only" >&2
    UP[shoal]=0
    FAILED=1
fi

# The small script EVALSHA runs (the same SHA1 on both servers).
SCRIPT='redis.call("INCR", KEYS[1]); return redis.call("GET", KEYS[1])'
TXBENCH=$WORK/txbench

# Ten subscribers on "ch" for the publish10 run.
subscribe10() {  # name
    for _ in $(seq 10); do
        cli "$1" SUBSCRIBE ch >/dev/null 2>&1 &
        SUBSCRIBERS+=($!)
    done
    for _ in $(seq 100); do
        (( $(cli "$1" PUBSUB NUMSUB ch | tail -1) >= 10 )) && return 0
        sleep 0.05
    done
    echo "compare.sh: subscribers did not connect to $1" >&2
}

unsubscribe_all() {
    for p in "${SUBSCRIBERS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait "${SUBSCRIBERS[@]}" 2>/dev/null || true
    SUBSCRIBERS=()
}

# One redis-benchmark run; prints "rps p50 p99" or nothing on failure.
# test "xadd" runs the custom command XADD s * f v; evalsha, multi3 and
# publish10 are described at the top.
bench() {  # name test pipeline
    local name=$1 test=$2 pipeline=$3 out
    local args=(-h "$HOST" -p "${PORT[$name]}" -n "$N" -c "$CLIENTS" -P "$pipeline" --csv)
    if [[ $test == multi3 ]]; then
        [[ -x $TXBENCH ]] || cc -O2 -o "$TXBENCH" bench/txbench.c -lhiredis -pthread ||
            return 0
        timeout "$BENCH_TIMEOUT" "$TXBENCH" "$HOST" "${PORT[$name]}" "$CLIENTS" \
            $((N / 5)) "$pipeline" 2>"$WORK/bench.err" || {
            echo "compare.sh: txbench -P $pipeline against $name failed:" >&2
            tail -n 5 "$WORK/bench.err" >&2
        }
        return 0
    elif [[ $test == evalsha ]]; then
        local sha
        sha=$(cli "$name" SCRIPT LOAD "$SCRIPT")
        args+=(EVALSHA "$sha" 1 counter)
    elif [[ $test == publish10 ]]; then
        subscribe10 "$name"
        args+=(PUBLISH ch message)
    elif [[ $test == xadd ]]; then
        args+=(XADD s '*' f v)
    else
        args+=(-t "$test")
    fi
    [[ -n $KEYSPACE ]] && args+=(-r "$KEYSPACE")
    if ! out=$(timeout "$BENCH_TIMEOUT" redis-benchmark "${args[@]}" 2>"$WORK/bench.err"); then
        echo "compare.sh: redis-benchmark $test -P $pipeline against $name failed:" >&2
        tail -n 5 "$WORK/bench.err" >&2
        unsubscribe_all
        return 0
    fi
    unsubscribe_all
    # "test","rps","avg","min","p50","p95","p99","max"
    awk -F, '/^"/ && !/^"test"/ { gsub(/"/, ""); print $2, $5, $7; exit }' <<<"$out"
}

ratio() {  # a b -> a/b, or n/a
    if [[ -z $1 || -z $2 || $2 == n/a || $1 == n/a ]]; then
        echo n/a
    else
        awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f\n", a / b }'
    fi
}

echo
redis_version=$(cli redis INFO server | tr -d '\r' | awk -F: '/^redis_version/ {print $2}')
echo "redis-benchmark -n $N -c $CLIENTS${KEYSPACE:+ -r $KEYSPACE}" \
    "(redis-server $redis_version; shoal: $SHOAL_BIN)"
fmt="%-10s %3s %13s %13s %7s %9s %9s %9s %9s\n"
printf "$fmt" test P "redis rps" "shoal rps" ratio "r p50ms" "s p50ms" "r p99ms" "s p99ms"

run=0
all_tests=${TESTS//,/ }
[[ $XADD == 1 ]] && all_tests+=" xadd"
all_tests+=" ${EXTRA//,/ }"
for test in $all_tests; do
    for pipeline in $PIPELINES; do
        # Alternate which server goes first, so neither always runs on a
        # warmer (or more throttled) machine.
        if (( run % 2 == 0 )); then order=(redis shoal); else order=(shoal redis); fi
        run=$((run + 1))
        declare -A res=()
        for name in "${order[@]}"; do
            if is_up "$name"; then
                res[$name]=$(bench "$name" "$test" "$pipeline")
            fi
        done
        read -r r_rps r_p50 r_p99 <<<"${res[redis]:-n/a n/a n/a}"
        read -r s_rps s_p50 s_p99 <<<"${res[shoal]:-n/a n/a n/a}"
        printf "$fmt" "$test" "$pipeline" "$r_rps" "$s_rps" "$(ratio "$s_rps" "$r_rps")" \
            "$r_p50" "$s_p50" "$r_p99" "$s_p99"
        unset res
    done
done

# Memory: the same DEBUG POPULATE data set on both.
info_field() {  # name field
    cli "$1" INFO memory 2>/dev/null | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }'
}

declare -A base=() used=() rss=()
for name in redis shoal; do
    base[$name]=n/a used[$name]=n/a rss[$name]=n/a
    is_up "$name" || continue
    out=$(cli "$name" FLUSHALL 2>&1)
    [[ $out == OK ]] || echo "compare.sh: $name FLUSHALL: $out" >&2
    base[$name]=$(info_field "$name" used_memory)
    out=$(cli "$name" DEBUG POPULATE "$POPULATE" 2>&1)
    if [[ $out != OK ]]; then
        echo "compare.sh: $name DEBUG POPULATE $POPULATE: $out" >&2
        continue
    fi
    used[$name]=$(info_field "$name" used_memory)
    rss[$name]=$(info_field "$name" used_memory_rss)
done

per_key() {  # used base
    if [[ $1 == n/a || $2 == n/a || -z $1 || -z $2 ]]; then echo n/a; else
        awk -v u="$1" -v b="$2" -v n="$POPULATE" 'BEGIN { printf "%.1f\n", (u - b) / n }'
    fi
}

echo
echo "memory after DEBUG POPULATE $POPULATE (bytes)"
mfmt="%-18s %14s %14s %7s\n"
printf "$mfmt" "" redis shoal ratio
printf "$mfmt" used_memory "${used[redis]}" "${used[shoal]}" "$(ratio "${used[shoal]}" "${used[redis]}")"
printf "$mfmt" used_memory_rss "${rss[redis]}" "${rss[shoal]}" "$(ratio "${rss[shoal]}" "${rss[redis]}")"
r_pk=$(per_key "${used[redis]}" "${base[redis]}")
s_pk=$(per_key "${used[shoal]}" "${base[shoal]}")
printf "$mfmt" "per key (used)" "$r_pk" "$s_pk" "$(ratio "$s_pk" "$r_pk")"

if [[ $TYPES_N != 0 ]] && is_up redis && is_up shoal; then
    echo
    /usr/bin/python3 bench/memory_types.py "${PORT[redis]}" "${PORT[shoal]}" "$TYPES_N" ||
        echo "compare.sh: memory_types.py failed" >&2
fi

for name in redis shoal; do
    if [[ ${UP[$name]:-0} == 1 ]] && ! kill -0 "${PID[$name]}" 2>/dev/null; then
        echo "compare.sh: $name died during the run; log: $WORK/$name.log" >&2
        FAILED=1
    fi
done
exit "$FAILED"
