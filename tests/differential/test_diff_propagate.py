"""What a command writes to the AOF (shard/propagate.c and the effect
rewrites in the command modules): the same commands run on redis-server 7.0
and on shoal, both with appendonly yes, and their incremental AOF files
must hold the same commands once absolute times and stream ids (which
legitimately differ) are normalized."""

import re
import time

import pytest

AOF = {"appendonly": "yes", "appendfsync": "always"}

# Every step is run on one connection, in order. Commands chosen so the
# result is deterministic (no random member choice).
STEPS = [
    ["SET", "a", "1"],
    ["set", "lower", "case kept"],
    ["SET", "b", "2", "EX", "100"],
    ["SET", "b2", "2", "PX", "100000", "GET"],
    ["SET", "b3", "2", "EXAT", "4000000000"],
    ["SET", "b4", "2", "PXAT", "4000000000000"],
    ["SETEX", "sx", "100", "v"],
    ["PSETEX", "psx", "100000", "v"],
    ["EXPIRE", "a", "100"],
    ["EXPIRE", "a", "200", "GT"],
    ["PEXPIRE", "a", "300000"],
    ["EXPIREAT", "a", "4000000000"],
    ["pexpireat", "a", "4000000000000"],
    ["EXPIRE", "missing", "100"],
    ["PERSIST", "a"],
    ["SET", "gone", "x"],
    ["EXPIRE", "gone", "-1"],
    ["SET", "ge", "1"],
    ["GETEX", "ge", "PX", "100000"],
    ["GETEX", "ge", "PERSIST"],
    ["GETEX", "ge", "EXAT", "1"],
    ["SET", "gd", "1"],
    ["GETDEL", "gd"],
    ["GETDEL", "gd"],
    ["INCRBYFLOAT", "f", "1.5"],
    ["INCRBYFLOAT", "f", "2.25"],
    ["HINCRBYFLOAT", "h", "f", "1.5"],
    ["INCR", "n"],
    ["SAVE"],
    ["DEL", "nothing"],
    ["SADD", "one", "m"],
    ["SPOP", "one"],
    ["SADD", "all", "a", "b", "c"],
    ["SPOP", "all", "10"],
    ["SADD", "z0", "a"],
    ["SPOP", "z0", "0"],
    ["RPUSH", "l", "a", "b", "c"],
    ["BLPOP", "l", "0"],
    ["BRPOP", "l", "0"],
    ["RPUSH", "l2", "a", "b", "c"],
    ["LMPOP", "1", "l2", "LEFT", "COUNT", "2"],
    ["BLMPOP", "0", "1", "l2", "RIGHT", "COUNT", "5"],
    ["RPUSH", "m", "x", "y"],
    ["BLMOVE", "m", "m2", "LEFT", "RIGHT", "0"],
    ["BRPOPLPUSH", "m", "m3", "0"],
    ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
    ["BZPOPMIN", "z", "0"],
    ["BZPOPMAX", "z", "0"],
    ["ZADD", "z2", "1", "a", "2", "b"],
    ["ZMPOP", "1", "z2", "MIN", "COUNT", "5"],
    ["MULTI"],
    ["SET", "t1", "1"],
    ["EXEC"],
    ["MULTI"],
    ["SET", "t2", "1"],
    ["INCR", "t2"],
    ["GET", "t2"],
    ["EXEC"],
    ["MULTI"],
    ["GET", "t2"],
    ["EXEC"],
    ["SELECT", "3"],
    ["SET", "in3", "1"],
    ["SELECT", "0"],
    ["SET", "in0", "1"],
    ["EVAL", "redis.call('set', KEYS[1], 'v')", "1", "ev1"],
    ["EVAL", "redis.call('set', KEYS[1], 'v') redis.call('incr', KEYS[2])",
     "2", "ev2", "ev3"],
    ["XADD", "xs", "*", "f", "1"],
    ["XADD", "xs", "MAXLEN", "~", "5", "*", "f", "2"],
    ["XADD", "xs", "MAXLEN", "1", "*", "f", "3"],
    ["XADD", "xs", "5-*", "f", "4"],
    ["XADD", "xs", "5-9", "f", "4"],
    ["XADD", "xs", "MINID", "~", "0-1", "*", "f", "5"],
    ["XTRIM", "xs", "MAXLEN", "~", "0"],
    ["XTRIM", "xs", "MAXLEN", "0"],
    ["XGROUP", "CREATE", "xs", "g", "0"],
    ["XADD", "xs", "NOMKSTREAM", "*", "f", "6"],
    ["XADD", "s", "1-1", "a", "1"],
    ["XADD", "s", "2-1", "a", "2"],
    ["XADD", "s", "3-1", "a", "3"],
    ["XGROUP", "CREATE", "s", "g", "0"],
    ["XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c1", "NOACK", "COUNT", "1", "STREAMS", "s",
     ">"],
    ["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"],
    ["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"],
    ["XCLAIM", "s", "g", "c3", "0", "1-1"],
    ["XCLAIM", "s", "g", "c3", "0", "3-1", "JUSTID"],
    ["XCLAIM", "s", "g", "c3", "0", "9-9"],
    ["XCLAIM", "s", "g", "c3", "0", "9-9", "LASTID", "5-0"],
    ["XAUTOCLAIM", "s", "g", "c4", "0", "0-0", "COUNT", "1"],
    ["XDEL", "s", "3-1"],
    ["XAUTOCLAIM", "s", "g", "c4", "0", "0-0"],
    ["XREADGROUP", "GROUP", "g", "c9", "STREAMS", "s", ">"],
    ["XGROUP", "CREATECONSUMER", "s", "g", "c10"],
    ["XACK", "s", "g", "1-1"],
    ["FLUSHDB"],
    ["FLUSHDB"],
    ["FLUSHALL"],
    ["FLUSHALL", "ASYNC"],
    ["SELECT", "4"],
    ["FLUSHDB", "SYNC"],
    ["SELECT", "0"],
]

TS = re.compile(rb"\b1\d{12}\b")   # absolute ms times of now (2020s..)
XID = re.compile(rb"\b1\d{12}-\d+\b")


def aof_commands(server):
    """The commands of the server's last incremental AOF file."""
    d = server.dir / "appendonlydir"
    manifest = (d / "appendonly.aof.manifest").read_text()
    incr = [line.split()[1] for line in manifest.splitlines()
            if line.endswith("type i")]
    data = (d / incr[-1]).read_bytes()
    out = []
    pos = 0
    while pos < len(data):
        assert data[pos:pos + 1] == b"*", data[pos:pos + 40]
        end = data.index(b"\r\n", pos)
        argc = int(data[pos + 1:end])
        pos = end + 2
        args = []
        for _ in range(argc):
            end = data.index(b"\r\n", pos)
            n = int(data[pos + 1:end])
            pos = end + 2
            args.append(data[pos:pos + n])
            pos += n + 2
        out.append(args)
    return out


def normalize(cmds):
    out = []
    for args in cmds:
        norm = []
        for a in args:
            a = XID.sub(b"<id>", a)
            a = TS.sub(b"<ts>", a)
            norm.append(a)
        out.append(norm)
    return out


def run_steps(server, steps):
    c = server.raw()
    replies = []
    for step in steps:
        replies.append(c.call(*step))
    c.close()
    return replies


def written(server):
    """Wait for appendfsync always to have written everything (it is written
    before the reply, so this is immediate) and read it back."""
    return normalize(aof_commands(server))


@pytest.fixture
def both(shoal_factory, redis_factory):
    return shoal_factory(AOF, name="shoal"), redis_factory(AOF, name="redis")


def check_same(both, steps):
    shoal, redis = both
    run_steps(redis, steps)
    run_steps(shoal, steps)
    a, b = written(redis), written(shoal)
    assert b == a


def test_effects_match_redis(both):
    check_same(both, STEPS)


def test_lazy_expired_key_becomes_del(both):
    steps = [["SET", "k", "v", "PX", "1"], ["SET", "k2", "v", "PX", "1"]]
    shoal, redis = both
    for srv in (redis, shoal):
        # Active expiry off, so only the lazy path deletes.
        c = srv.raw()
        c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")
        for s in steps:
            c.call(*s)
        time.sleep(0.05)
        c.call("GET", "k")
        c.call("SET", "k2", "new")
        c.close()
    assert written(shoal) == written(redis)


def test_active_expiry_becomes_del(both):
    shoal, redis = both
    for srv in (redis, shoal):
        c = srv.raw()
        c.call("SET", "k", "v", "PX", "1")
        c.close()
    deadline = time.time() + 5
    while time.time() < deadline:
        if all(["DEL".encode(), b"k"] in written(s) for s in both):
            break
        time.sleep(0.05)
    assert written(shoal) == written(redis)
    assert [b"DEL", b"k"] in written(shoal)


def test_served_blocked_pop_propagates_nonblocking_form(both):
    shoal, redis = both
    for srv in (redis, shoal):
        waiter = srv.raw()
        waiter.send_command("BLPOP", "q", "0")
        waiter2 = srv.raw()
        waiter2.send_command("BZPOPMIN", "zq", "0")
        time.sleep(0.1)
        c = srv.raw()
        c.call("RPUSH", "q", "a", "b")
        c.call("ZADD", "zq", "1", "m")
        waiter.read_reply()
        waiter2.read_reply()
        for x in (waiter, waiter2, c):
            x.close()
    assert written(shoal) == written(redis)


def test_restore_ttl_becomes_absttl(both):
    shoal, redis = both
    c = redis.raw()
    c.call("SET", "src", "value")
    payload = c.call("DUMP", "src").value
    c.call("DEL", "src")
    c.close()
    steps = [["RESTORE", "r1", "0", payload],
             ["RESTORE", "r2", "100000", payload],
             ["RESTORE", "r2", "100000", payload, "REPLACE"],
             ["RESTORE", "r3", "4000000000000", payload, "ABSTTL"],
             ["RESTORE", "r1", "1", payload, "REPLACE", "ABSTTL"]]
    run_steps(shoal, [["SET", "src", "value"], ["DEL", "src"]])
    for srv in (redis, shoal):
        run_steps(srv, steps)
    assert written(shoal) == written(redis)
    assert [b"RESTORE", b"r2", b"<ts>", payload, b"ABSTTL"] in written(shoal)


def test_lazyfree_lazy_expire_uses_unlink(shoal_factory, redis_factory):
    args = dict(AOF, **{"lazyfree-lazy-expire": "yes"})
    servers = [shoal_factory(args, name="shoal"),
               redis_factory(args, name="redis")]
    for srv in servers:
        c = srv.raw()
        c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")
        c.call("SET", "k", "v", "PX", "1")
        c.call("SET", "gone", "v")
        c.call("EXPIRE", "gone", "0")
        time.sleep(0.05)
        c.call("GET", "k")
        c.close()
    assert written(servers[0]) == written(servers[1])
    assert [b"UNLINK", b"k"] in written(servers[0])
