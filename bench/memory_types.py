#!/usr/bin/python3
"""Memory of the same data-type data sets in redis-server and shoal.

usage: bench/memory_types.py REDIS_PORT SHOAL_PORT [N]

For each data set: FLUSHALL both servers, fill them with identical
pipelined commands, and print used_memory growth and the shoal/redis ratio.
Data sets: N elements in one hash, set, sorted set and list, and N/10
small hashes of 10 fields (the listpack case).
"""
import sys

import redis

BATCH = 2000


def used(r):
    return int(r.info("memory")["used_memory"])


def fill(r, commands):
    pipe = r.pipeline(transaction=False)
    n = 0
    for cmd in commands:
        pipe.execute_command(*cmd)
        n += 1
        if n % BATCH == 0:
            pipe.execute()
    pipe.execute()


def datasets(n):
    yield ("hash, %d fields" % n,
           (("HSET", "h", "field:%d" % i, "value:%d" % i) for i in range(n)))
    yield ("set, %d members" % n,
           (("SADD", "s", "member:%d" % i) for i in range(n)))
    yield ("zset, %d members" % n,
           (("ZADD", "z", i, "member:%d" % i) for i in range(n)))
    yield ("list, %d elements" % n,
           (("RPUSH", "l", "value:%d" % i) for i in range(n)))
    small = n // 10
    yield ("%d hashes x 10 fields" % small,
           (["HSET", "user:%d" % i] +
            [x for f in range(10) for x in ("f%d" % f, "v%d:%d" % (f, i))]
            for i in range(small)))


def main():
    rport, sport = int(sys.argv[1]), int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000000
    servers = {"redis": redis.Redis(port=rport), "shoal": redis.Redis(port=sport)}
    fmt = "%-28s %14s %14s %7s"
    print(fmt % ("data set (used_memory growth)", "redis", "shoal", "ratio"))
    for name, _ in datasets(n):
        growth = {}
        for side, r in servers.items():
            r.flushall()
            base = used(r)
            # Regenerate the commands: the generators are single-use.
            cmds = dict(datasets(n))[name]
            fill(r, cmds)
            growth[side] = used(r) - base
        ratio = growth["shoal"] / growth["redis"] if growth["redis"] else 0
        print(fmt % (name, growth["redis"], growth["shoal"], "%.2f" % ratio))
    for r in servers.values():
        r.flushall()


if __name__ == "__main__":
    main()
