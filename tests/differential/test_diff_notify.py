"""Differential tests of keyspace notifications (shard/notify.c and the
notify calls in every command module): for each command family, run a list
of commands on both servers with notify-keyspace-events enabled and compare,
command by command, the reply and every __keyspace@/__keyevent@ message a
PSUBSCRIBEr receives, in order. Also the class filter letters, CONFIG GET's
canonical form, and `expired` events from lazy and active expiry."""

import time

import pytest

from lib import resp

SYNC = "__keysync__:x"  # matches the subscriber's pattern: marks the end


class Watcher:
    """A PSUBSCRIBE __key*__:* connection and a command connection."""

    def __init__(self, server):
        self.cmd = server.raw()
        self.sub = server.raw()
        r = self.sub.call("PSUBSCRIBE", "__key*__:*")
        assert r.value[0].value == b"psubscribe", r
        self.n = 0

    def run(self, *args):
        """The command's reply and the (channel, message) events it made."""
        reply = self.cmd.call(*args)
        self.n += 1
        self.cmd.call("PUBLISH", SYNC, str(self.n))
        events = []
        while True:
            m = self.sub.read_reply(timeout=5)
            kind, _pat, ch, msg = (x.value for x in m.value)
            assert kind == b"pmessage", m
            if ch == SYNC.encode():
                assert msg == str(self.n).encode()
                return reply, events
            events.append((ch.decode(errors="replace"),
                           msg.decode(errors="replace")))

    def close(self):
        self.cmd.close()
        self.sub.close()


def watchers(pair, flags="KEA"):
    w = {"shoal": Watcher(pair.shoal), "redis": Watcher(pair.redis)}
    for x in w.values():
        assert x.cmd.call("CONFIG", "SET", "notify-keyspace-events",
                          flags).value == b"OK"
    return w


RANDOM_REPLY = {"SPOP", "SRANDMEMBER", "HRANDFIELD", "ZRANDMEMBER"}


def run_table(pair, commands, flags="KEA", mode=None):
    w = watchers(pair, flags)
    try:
        for args in commands:
            got = {s: w[s].run(*args) for s in w}
            # Random picks: the events must match, the members may not.
            if mode == "events-only" or args[0] in RANDOM_REPLY:
                got = {s: (None, got[s][1]) for s in got}
            assert got["shoal"] == got["redis"], (
                f"{args}:\n shoal {got['shoal']}\n redis {got['redis']}")
    finally:
        for x in w.values():
            x.close()


# Every command family, with the events Redis 7.0 sends (the oracle decides).
STRINGS = [
    ("SET", "s", "v"), ("SET", "s", "v2", "EX", "100"),
    ("SET", "s", "v3", "KEEPTTL"), ("SET", "s", "x", "NX"),
    ("SET", "s", "x", "XX", "GET"), ("SETNX", "s2", "a"), ("SETNX", "s2", "b"),
    ("SETEX", "s3", "10", "v"), ("PSETEX", "s4", "10000", "v"),
    ("MSET", "m1", "a", "m2", "b"), ("MSETNX", "m3", "a", "m4", "b"),
    ("MSETNX", "m3", "a", "m5", "b"), ("APPEND", "s", "yy"),
    ("APPEND", "new", "yy"), ("SETRANGE", "s", "1", "ZZ"),
    ("SETRANGE", "sr", "2", "ab"), ("SETRANGE", "s", "0", ""),
    ("INCR", "n"), ("INCRBY", "n", "5"), ("DECR", "n"), ("DECRBY", "n", "2"),
    ("INCRBYFLOAT", "f", "1.5"), ("GETSET", "s", "new"), ("GETDEL", "s"),
    ("GETDEL", "nokey"), ("SET", "g", "v"), ("GETEX", "g", "EX", "100"),
    ("GETEX", "g", "PERSIST"), ("GETEX", "g"), ("GETEX", "g", "PX", "0"),
    ("GET", "g"), ("GET", "nokey"), ("MGET", "m1", "nokey"), ("STRLEN", "m1"),
    ("GETRANGE", "m1", "0", "1"), ("SET", "s", "v", "EX", "0"),
    ("SET", "s", "v", "PXAT", "1"), ("LCS", "m1", "m2"),
]
KEYS = [
    ("SET", "a", "1"), ("DEL", "a", "nokey"), ("SET", "a", "1"),
    ("UNLINK", "a"), ("SET", "a", "1"), ("RENAME", "a", "b"),
    ("SET", "c", "1"), ("RENAME", "b", "c"), ("RENAMENX", "c", "d"),
    ("SET", "e", "1"), ("RENAMENX", "d", "e"), ("RENAME", "d", "d"),
    ("EXPIRE", "d", "100"), ("EXPIRE", "d", "100", "NX"),
    ("PEXPIRE", "d", "100000"), ("EXPIREAT", "d", "99999999999"),
    ("PEXPIREAT", "d", "99999999999999"), ("PERSIST", "d"), ("PERSIST", "d"),
    ("EXPIRE", "d", "0"), ("EXPIRE", "nokey", "10"), ("SET", "x", "1"),
    ("PEXPIREAT", "x", "1"), ("SET", "y", "1"), ("EXPIRE", "y", "-5"),
    ("SET", "z", "1"), ("MOVE", "z", "1"), ("SET", "z", "1"),
    ("COPY", "z", "z2"), ("COPY", "z", "z2"), ("COPY", "z", "z2", "REPLACE"),
    ("COPY", "z", "z3", "DB", "2"), ("EXISTS", "z", "nokey"), ("TYPE", "z"),
    ("TTL", "z"), ("TOUCH", "z", "nokey"), ("SET", "r", "1"),
    ("DUMP", "r"), ("SELECT", "3"), ("SET", "k3", "v"), ("DEL", "k3"),
    ("SELECT", "0"), ("SET", "w", "1"), ("SWAPDB", "0", "5"),
    ("SWAPDB", "0", "5"), ("FLUSHDB",), ("SET", "w", "1"), ("FLUSHALL",),
]
HASHES = [
    ("HSET", "h", "a", "1", "b", "2"), ("HSET", "h", "a", "1"),
    ("HSETNX", "h", "c", "3"), ("HSETNX", "h", "c", "3"),
    ("HMSET", "h", "d", "4"), ("HINCRBY", "h", "n", "2"),
    ("HINCRBYFLOAT", "h", "f", "1.5"), ("HDEL", "h", "a", "zz"),
    ("HDEL", "h", "zz"), ("HGET", "h", "b"), ("HGET", "nokey", "b"),
    ("HGETALL", "nokey"), ("HDEL", "h", "b", "c", "d", "n", "f"),
    ("HSET", "h2", "x", "1"), ("HRANDFIELD", "nokey"), ("HLEN", "h2"),
]
LISTS = [
    ("LPUSH", "l", "a", "b"), ("RPUSH", "l", "c"), ("LPUSHX", "l", "d"),
    ("RPUSHX", "l", "e"), ("LPUSHX", "nol", "d"), ("LPOP", "l"),
    ("RPOP", "l"), ("LPOP", "l", "2"), ("LSET", "l", "0", "z"),
    ("LINSERT", "l", "BEFORE", "z", "y"), ("LINSERT", "l", "BEFORE", "q", "y"),
    ("LREM", "l", "0", "y"), ("LREM", "l", "0", "nothing"),
    ("RPUSH", "l", "1", "2", "3"), ("LTRIM", "l", "0", "1"),
    ("LTRIM", "l", "5", "10"), ("RPUSH", "l", "a", "b"),
    ("LMOVE", "l", "l2", "LEFT", "RIGHT"), ("RPOPLPUSH", "l", "l2"),
    ("RPOPLPUSH", "l2", "l2"), ("LMPOP", "2", "nol", "l2", "LEFT", "COUNT", "5"),
    ("RPUSH", "l", "a"), ("BLPOP", "l", "0"), ("RPUSH", "l", "a", "b"),
    ("BRPOP", "l", "0"), ("BLMOVE", "l", "l3", "LEFT", "LEFT", "0"),
    ("RPUSH", "l", "a"), ("BLMPOP", "0", "1", "l", "RIGHT"),
    ("LRANGE", "nol", "0", "-1"), ("LINDEX", "l3", "0"),
]
SETS = [
    ("SADD", "s", "a", "b", "c"), ("SADD", "s", "a"), ("SREM", "s", "a", "z"),
    ("SREM", "s", "z"), ("SADD", "p", "only"), ("SPOP", "p"),
    ("SADD", "s", "1", "2", "3"), ("SMOVE", "s", "t", "3"),
    ("SMOVE", "s", "t", "9"), ("SMOVE", "t", "s", "3"), ("SADD", "m", "1"),
    ("SMOVE", "m", "t", "1"), ("SMOVE", "t", "s", "1"),
    ("SADD", "s", "x", "y"), ("SINTERSTORE", "d", "s", "t"),
    ("SUNIONSTORE", "d", "s", "t"), ("SDIFFSTORE", "d", "s", "t"),
    ("SINTERSTORE", "d", "s", "nokey"), ("SUNIONSTORE", "d2", "nokey"),
    ("SDIFFSTORE", "t", "nokey"), ("SPOP", "s", "10"), ("SADD", "s", "q"),
    ("SPOP", "s", "0"), ("SREM", "s", "q"), ("SMEMBERS", "nokey"),
    ("SISMEMBER", "nokey", "a"), ("SRANDMEMBER", "nokey"),
]
ZSETS = [
    ("ZADD", "z", "1", "a", "2", "b"), ("ZADD", "z", "1", "a"),
    ("ZADD", "z", "INCR", "5", "a"), ("ZINCRBY", "z", "1", "b"),
    ("ZREM", "z", "a", "nope"), ("ZREM", "z", "nope"),
    ("ZADD", "z", "1", "a", "3", "c", "4", "d"),
    ("ZREMRANGEBYSCORE", "z", "0", "1"), ("ZREMRANGEBYRANK", "z", "0", "0"),
    ("ZREMRANGEBYLEX", "z", "-", "+"), ("ZADD", "z", "1", "a", "2", "b"),
    ("ZADD", "y", "1", "a"), ("ZUNIONSTORE", "u", "2", "z", "y"),
    ("ZINTERSTORE", "u", "2", "z", "y"), ("ZDIFFSTORE", "u", "2", "z", "y"),
    ("ZINTERSTORE", "u", "2", "z", "nokey"),
    ("ZRANGESTORE", "r", "z", "0", "-1"), ("ZRANGESTORE", "r", "nokey", "0", "-1"),
    ("ZPOPMIN", "z"), ("ZPOPMAX", "z", "5"), ("ZPOPMIN", "z"),
    ("ZADD", "z", "1", "a", "2", "b"), ("BZPOPMIN", "z", "0"),
    ("BZPOPMAX", "z", "0"), ("ZADD", "z", "1", "a"),
    ("ZMPOP", "1", "z", "MIN"), ("ZADD", "z", "1", "a"),
    ("BZMPOP", "0", "1", "z", "MAX"), ("ZSCORE", "nokey", "a"),
    ("ZRANGE", "nokey", "0", "-1"), ("ZCARD", "y"),
]
STREAMS = [
    ("XADD", "x", "1-1", "f", "v"), ("XADD", "x", "2-1", "f", "v"),
    ("XADD", "x", "MAXLEN", "1", "3-1", "f", "v"), ("XADD", "nox", "NOMKSTREAM", "*", "f", "v"),
    ("XTRIM", "x", "MAXLEN", "0"), ("XADD", "x", "4-1", "f", "v"),
    ("XDEL", "x", "4-1", "9-9"), ("XDEL", "x", "9-9"), ("XADD", "x", "5-1", "f", "v"),
    ("XGROUP", "CREATE", "x", "g", "0"), ("XGROUP", "CREATE", "y", "g", "$", "MKSTREAM"),
    ("XGROUP", "CREATECONSUMER", "x", "g", "c1"),
    ("XREADGROUP", "GROUP", "g", "c2", "COUNT", "1", "STREAMS", "x", ">"),
    ("XCLAIM", "x", "g", "c3", "0", "5-1"),
    ("XAUTOCLAIM", "x", "g", "c4", "0", "0"),
    ("XACK", "x", "g", "5-1"), ("XGROUP", "SETID", "x", "g", "0"),
    ("XGROUP", "DELCONSUMER", "x", "g", "c1"), ("XGROUP", "DESTROY", "x", "g"),
    ("XSETID", "x", "10-1"), ("XLEN", "x"), ("XRANGE", "nox", "-", "+"),
    ("XREAD", "STREAMS", "x", "0"),
]
BITMAPS = [
    ("SETBIT", "b", "7", "1"), ("SETBIT", "b", "7", "1"), ("GETBIT", "b", "7"),
    ("BITOP", "AND", "d", "b", "b"), ("BITOP", "OR", "d", "nokey"),
    ("BITFIELD", "bf", "SET", "u8", "0", "255"), ("BITFIELD", "bf", "GET", "u8", "0"),
    ("BITFIELD", "bf", "INCRBY", "u8", "0", "1"),
    ("BITFIELD_RO", "bf", "GET", "u8", "0"), ("BITCOUNT", "nokey"),
    ("BITPOS", "b", "1"),
]
HLLS = [
    ("PFADD", "h", "a", "b"), ("PFADD", "h", "a"), ("PFADD", "h2"),
    ("PFADD", "h3", "x"), ("PFMERGE", "hm", "h", "h3"), ("PFMERGE", "hm"),
    ("PFCOUNT", "h"), ("PFCOUNT", "h", "h3"), ("PFCOUNT", "nokey"),
]
GEO = [
    ("GEOADD", "g", "13.361389", "38.115556", "Palermo"),
    ("GEOADD", "g", "15.087269", "37.502669", "Catania"),
    ("GEOADD", "g", "NX", "15.087269", "37.502669", "Catania"),
    ("GEOSEARCHSTORE", "gs", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200",
     "km", "ASC"),
    ("GEOSEARCHSTORE", "gs2", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200",
     "km", "ASC", "STOREDIST"),
    ("GEORADIUS", "g", "15", "37", "200", "km", "STORE", "gr"),
    ("GEORADIUS", "g", "15", "37", "200", "km", "STOREDIST", "gr2"),
    ("GEOSEARCHSTORE", "gs", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1",
     "km"),
    ("GEODIST", "g", "Palermo", "Catania"), ("GEOPOS", "nokey", "a"),
]
MISC = [
    ("MSET", "a", "1", "a", "2"), ("DEL", "a", "a", "nokey"),
    ("SET", "g", "v"), ("GETEX", "g", "PXAT", "1"), ("SET", "g", "v"),
    ("GETEX", "g", "EXAT", "99999999999"), ("SET", "k", "v", "GET"),
    ("SET", "k", "w", "NX", "GET"), ("SET", "k2", "w", "XX"),
    ("SET", "t", "v", "EX", "100"), ("RENAME", "t", "t2"), ("TTL", "t2"),
    ("RENAMENX", "t2", "k"), ("SETRANGE", "k", "10", "grow"),
    ("ZADD", "z", "1", "a"), ("ZADD", "z", "GT", "CH", "0", "a"),
    ("ZADD", "z", "LT", "CH", "0", "a"), ("ZADD", "z", "XX", "1", "nope"),
    ("ZADD", "z", "NX", "INCR", "1", "a"), ("ZADD", "z2", "XX", "1", "a"),
    ("ZREMRANGEBYSCORE", "z", "-inf", "+inf"), ("XADD", "x", "1-1", "f", "v"),
    ("XADD", "x", "NOMKSTREAM", "2-1", "f", "v"),
    ("XTRIM", "x", "MINID", "2-0"), ("XTRIM", "x", "MAXLEN", "5"),
    ("XGROUP", "CREATE", "x2", "g", "$", "MKSTREAM"),
    ("XGROUP", "DESTROY", "x2", "nogroup"), ("SETBIT", "b", "100", "1"),
    ("SETBIT", "b", "100", "0"), ("BITOP", "NOT", "bn", "b"),
    ("PFADD", "h", "a"), ("PFMERGE", "h", "h"),
    ("GEOADD", "geo", "XX", "CH", "1", "1", "m"),
    ("GEOADD", "geo", "CH", "1", "1", "m"),
    ("GEOADD", "geo", "XX", "CH", "2", "2", "m"),
    ("LPUSH", "l", "a", "b", "c"), ("LTRIM", "l", "0", "-1"),
    ("LREM", "l", "-1", "a"), ("LSET", "l", "-1", "x"),
    ("LMOVE", "l", "l", "LEFT", "RIGHT"),
    ("HSET", "hh", "f", "1"), ("HINCRBYFLOAT", "hh", "f", "0.5"),
    ("HINCRBY", "hh", "g", "-1"), ("HDEL", "hh", "f", "g"),
    ("SADD", "s1", "a"), ("SADD", "s2", "b"), ("SMOVE", "s1", "s2", "a"),
    ("SINTERSTORE", "s3", "s2", "s2"), ("SPOP", "s3", "1"),
    ("SUNIONSTORE", "s2", "s2", "nokey"), ("COPY", "s2", "s4"),
    ("MOVE", "s4", "3"), ("SELECT", "3"), ("RENAME", "s4", "s5"),
    ("SELECT", "0"), ("FLUSHALL",),
]
# Reads of missing keys: which ones say keymiss (class m) is per command.
MISSES = [(c[0],) + tuple(a.replace("K", "nokey") for a in c[1:]) for c in [
    ("TYPE", "K"), ("TTL", "K"), ("PTTL", "K"), ("EXPIRETIME", "K"),
    ("OBJECT", "ENCODING", "K"), ("OBJECT", "FREQ", "K"), ("EXISTS", "K"),
    ("DUMP", "K"), ("STRLEN", "K"), ("GETRANGE", "K", "0", "1"),
    ("SUBSTR", "K", "0", "1"), ("HEXISTS", "K", "f"), ("HLEN", "K"),
    ("HSTRLEN", "K", "f"), ("HMGET", "K", "f"), ("HKEYS", "K"),
    ("HVALS", "K"), ("HSCAN", "K", "0"), ("LLEN", "K"),
    ("LPOS", "K", "a"), ("LINDEX", "K", "0"), ("SCARD", "K"),
    ("SMISMEMBER", "K", "a"), ("SINTER", "K"), ("SUNION", "K"),
    ("SDIFF", "K"), ("SINTERCARD", "1", "K"), ("SSCAN", "K", "0"),
    ("ZCARD", "K"), ("ZRANK", "K", "a"), ("ZREVRANK", "K", "a"),
    ("ZCOUNT", "K", "0", "1"), ("ZLEXCOUNT", "K", "-", "+"),
    ("ZMSCORE", "K", "a"), ("ZRANDMEMBER", "K"), ("ZUNION", "1", "K"),
    ("ZINTER", "1", "K"), ("ZDIFF", "1", "K"), ("ZINTERCARD", "1", "K"),
    ("ZRANGEBYSCORE", "K", "0", "1"), ("ZREVRANGE", "K", "0", "1"),
    ("ZSCAN", "K", "0"), ("XLEN", "K"), ("XREVRANGE", "K", "+", "-"),
    ("XPENDING", "K", "g"), ("XINFO", "STREAM", "K"), ("PFCOUNT", "K"),
    ("BITCOUNT", "K"), ("GETBIT", "K", "0"), ("BITPOS", "K", "1"),
    ("BITFIELD_RO", "K", "GET", "u8", "0"), ("GEODIST", "K", "a", "b"),
    ("GEOHASH", "K", "a"), ("GEOSEARCH", "K", "FROMLONLAT", "0", "0",
                           "BYRADIUS", "1", "km"),
    ("LCS", "K", "K"), ("TOUCH", "K"),
    ("RENAME", "K", "x"), ("COPY", "K", "x"), ("MOVE", "K", "1"),
    ("EXPIRE", "K", "1"), ("PERSIST", "K"), ("GETEX", "K"),
    ("RANDOMKEY",), ("SMOVE", "K", "d", "a"),
    ("LMOVE", "K", "d", "LEFT", "LEFT"), ("ZRANGESTORE", "d", "K", "0", "1"),
    ("SINTERSTORE", "d", "K"), ("BITOP", "AND", "d", "K"),
    ("PFMERGE", "d", "K"), ("GEOSEARCHSTORE", "d", "K", "FROMLONLAT", "0",
                            "0", "BYRADIUS", "1", "km"),
]]
TABLES = {"strings": STRINGS, "misc": MISC, "misses": MISSES, "keys": KEYS, "hashes": HASHES,
          "lists": LISTS, "sets": SETS, "zsets": ZSETS, "streams": STREAMS,
          "bitmaps": BITMAPS, "hll": HLLS, "geo": GEO}


@pytest.mark.parametrize("family", sorted(TABLES))
def test_events_all_classes(pair, family):
    """Every class, K and E, plus n (new keys) and m (key misses)."""
    run_table(pair, TABLES[family], flags="KEAnm")


@pytest.mark.parametrize("flags", ["K$", "Eg", "El", "KEs", "Kh", "Ez", "Et",
                                   "En", "Km", "K", "E", "A", "",
                                   "KEx"])
def test_class_filter(pair, flags):
    cmds = [c for t in ("strings", "keys", "lists", "sets", "zsets",
                        "hashes", "streams") for c in TABLES[t][:12]]
    run_table(pair, cmds, flags=flags)


def test_config_canonical(differ):
    for v in ["", "K", "E", "KEA", "AKE", "Kg", "Ez$lshgxetd", "KEAmn",
              "Kmn", "x", "ndtexzhsl$g", "lx", "Km", "gKE$", "KEQ", "a",
              "KA", "AAAA"]:
        differ.check("CONFIG", "SET", "notify-keyspace-events", v)
        differ.check("CONFIG", "GET", "notify-keyspace-events")
    differ.check("CONFIG", "SET", "notify-keyspace-events", "KEA", "hz", "10")
    differ.check("CONFIG", "GET", "notify-keyspace-events")


def test_lazy_expired(pair):
    cmds = [("DEBUG", "SET-ACTIVE-EXPIRE", "0"),
            ("SET", "k", "v", "PX", "1"), ("HSET", "h", "f", "v"),
            ("PEXPIRE", "h", "1"), ("SET", "s", "v", "PX", "1"),
            ("LPUSH", "l", "a"), ("PEXPIRE", "l", "1")]
    w = watchers(pair, "KEA")
    try:
        for args in cmds:
            got = {s: w[s].run(*args) for s in w}
            assert got["shoal"] == got["redis"], args
        time.sleep(0.05)
        for args in [("GET", "k"), ("HGET", "h", "f"), ("EXISTS", "s"),
                     ("LPUSH", "l", "b"), ("GET", "k"), ("DBSIZE",)]:
            got = {s: w[s].run(*args) for s in w}
            assert got["shoal"] == got["redis"], args
    finally:
        for s in w:
            w[s].cmd.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")
            w[s].close()


def test_active_expired(pair):
    """The active cycle removes keys nobody touches: each gets `expired`."""
    w = watchers(pair, "Ex")
    try:
        for s in w:
            for i in range(5):
                w[s].cmd.call("SET", f"k{i}", "v", "PX", "50")
        got = {}
        for s in w:
            events = []
            deadline = time.monotonic() + 5
            while len(events) < 5 and time.monotonic() < deadline:
                m = w[s].sub.read_reply(timeout=5)
                events.append(tuple(x.value for x in m.value[2:]))
            got[s] = sorted(events)
        assert got["shoal"] == got["redis"]
        assert len(got["redis"]) == 5
        assert got["redis"][0] == (b"__keyevent@0__:expired", b"k0")
    finally:
        for x in w.values():
            x.close()


def test_events_in_other_db(pair):
    run_table(pair, [("SELECT", "9"), ("SET", "a", "1"), ("DEL", "a"),
                     ("LPUSH", "l", "x"), ("SELECT", "0")], flags="KEA")


def test_binary_keys(pair):
    run_table(pair, [("SET", b"bin\x00key\xff", "v"),
                     ("DEL", b"bin\x00key\xff")], flags="KEA")


@pytest.mark.parametrize("block,feed", [
    (("BLPOP", "l", "0"), ("RPUSH", "l", "a")),
    (("BRPOP", "l", "nol", "0"), ("LPUSH", "l", "a", "b")),
    (("BLMOVE", "l", "d", "RIGHT", "LEFT", "0"), ("RPUSH", "l", "a")),
    (("BLMPOP", "0", "1", "l", "LEFT", "COUNT", "3"), ("RPUSH", "l", "a")),
    (("BZPOPMIN", "z", "0"), ("ZADD", "z", "1", "a")),
    (("BZMPOP", "0", "1", "z", "MAX"), ("ZADD", "z", "1", "a", "2", "b")),
    (("XREADGROUP", "GROUP", "g", "c9", "STREAMS", "x", ">"),
     ("XADD", "x", "5-1", "f", "v")),
])
def test_blocked_client_served_later(pair, block, feed):
    """A client served after it blocked: the pop's events follow the push's,
    as in Redis."""
    w = watchers(pair, "KEAn")
    blockers = {}
    try:
        for s in w:
            w[s].run("XGROUP", "CREATE", "x", "g", "$", "MKSTREAM")
            blockers[s] = pair._asdict()[s].raw()
            blockers[s].send_command(*block)
        time.sleep(0.1)
        got = {s: w[s].run(*feed) for s in w}
        assert got["shoal"] == got["redis"]
        for s in w:
            blockers[s].read_reply()
    finally:
        for s in w:
            w[s].close()
            if s in blockers:
                blockers[s].close()


def self_frames(conn, args):
    """Run args on a RESP3 connection subscribed to its own events: every
    frame up to PING's pong, pushes and the reply in the order sent."""
    conn.send_command(*args)
    conn.send_command("PING")
    out = []
    while True:
        r = conn.read_reply(timeout=5)
        if r.kind == resp.SIMPLE and r.value == b"PONG":
            return out
        out.append(r)


@pytest.mark.parametrize("family", sorted(TABLES))
def test_events_before_or_after_reply(pair, family):
    """A RESP3 client watching its own keys: whether each event's push comes
    before or after the command's reply is Redis's per command."""
    conns = {}
    try:
        for s in ("shoal", "redis"):
            c = pair._asdict()[s].raw()
            c.call("HELLO", "3")
            c.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
            c.call("PSUBSCRIBE", "__keyevent@*__:*")
            conns[s] = c
        for args in TABLES[family]:
            got = {s: self_frames(c, args) for s, c in conns.items()}
            if args[0] in RANDOM_REPLY:
                got = {s: [r for r in f if r.kind == resp.PUSH]
                       for s, f in got.items()}
            assert got["shoal"] == got["redis"], args
    finally:
        for c in conns.values():
            c.close()
